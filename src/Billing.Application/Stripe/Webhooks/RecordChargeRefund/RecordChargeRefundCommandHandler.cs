using Billing.Application.Abstractions.Persistence;
using Billing.Application.Abstractions.Stripe;
using Billing.Application.Inbox;
using Billing.Domain.Catalog;
using Billing.Domain.Common;
using Billing.Domain.Purchases;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Stripe.Webhooks.RecordChargeRefund;

/// <summary>
/// Re-fetches the charge with its refunds and records them on the pack purchase it paid (found by payment intent), oldest
/// first, each at the cumulative amount refunded up to it: the purchase owes back the refunded share of its credits
/// (rounded so the user never loses more than paid for), one clawback row per refund keyed <c>stripe:refund:{id}</c>.
/// Any number of deliveries, in any order, claw back the same total. Refunds of subscription invoices are recorded only
/// (docs/decisions/0005-stripe-disputes-and-refunds.md).
/// </summary>
internal sealed class RecordChargeRefundCommandHandler(IBillingDbContext db, ILogger<RecordChargeRefundCommandHandler> logger)
    : IRequestHandler<RecordChargeRefundCommand, ProviderEventResult>
{
    private static readonly HashSet<string> CountedRefundStatuses = ["succeeded", "pending", "requires_action"];

    public async Task<ProviderEventResult> Handle(RecordChargeRefundCommand request, CancellationToken cancellationToken)
    {
        var stripeEvent = request.Event;
        if (request.Charge is not { } charge)
        {
            return StripeFetch.Missing(stripeEvent, "charge");
        }

        if (charge.AmountRefunded <= 0 || charge.PaymentIntentId is null)
        {
            return ProviderEventResult.Ignored($"charge {charge.Id} has nothing refunded on a payment intent");
        }

        var purchase = await db.Purchases.SingleOrDefaultAsync(p => p.Provider == PaymentProvider.Stripe && p.ProviderPaymentId == charge.PaymentIntentId, cancellationToken);
        if (purchase is null)
        {
            if (StripeMetadata.FindProduct(charge.Metadata) is CreditPack)
            {
                // A pack paid through our checkout whose fulfilment is not processed yet: wait for it rather than lose the clawback.
                return ProviderEventResult.RetryLater($"charge {charge.Id} refunds a credit pack whose payment is not recorded here yet");
            }

            logger.LogInformation("Refund on charge {ChargeId} ({AmountRefunded} refunded) pays no credit pack; recorded only", charge.Id, charge.AmountRefunded);
            return ProviderEventResult.Ignored($"charge {charge.Id} pays no credit pack known here (subscription payment refunds are recorded only)");
        }

        var recorded = 0;
        long cumulative = 0;
        foreach (var refund in charge.Refunds.Where(r => r.Status is not null && CountedRefundStatuses.Contains(r.Status)).OrderBy(r => r.Created).ThenBy(r => r.Id, StringComparer.Ordinal))
        {
            cumulative = Math.Min(cumulative + refund.Amount, charge.AmountRefunded);
            recorded += Record(purchase, charge, GrantKey.ForStripeRefund(refund.Id), cumulative, refund.Created ?? stripeEvent.Created) ? 1 : 0;
        }

        if (charge.AmountRefunded > cumulative)
        {
            // Refunds beyond the expanded first page (or an API version without them): one clawback for the rest, keyed by the total.
            recorded += Record(purchase, charge, GrantKey.ForStripeRefund($"{charge.Id}:{charge.AmountRefunded}"), charge.AmountRefunded, stripeEvent.Created) ? 1 : 0;
        }

        return recorded > 0
            ? ProviderEventResult.Processed()
            : ProviderEventResult.Ignored($"the refunds of charge {charge.Id} were already recorded");
    }

    /// <summary>The purchase counts refunds against its own price; a charge of another amount (a discount) is scaled to it.</summary>
    private static bool Record(Purchase purchase, StripeCharge charge, GrantKey key, long cumulativeRefunded, DateTimeOffset refundedAt)
    {
        var price = purchase.Price.MinorUnits;
        var scaled = charge.Amount == price || charge.Amount <= 0
            ? Math.Min(cumulativeRefunded, price)
            : cumulativeRefunded >= charge.Amount ? price : cumulativeRefunded * price / charge.Amount;
        return scaled > 0 && purchase.RecordRefund(key, scaled, refundedAt);
    }
}
