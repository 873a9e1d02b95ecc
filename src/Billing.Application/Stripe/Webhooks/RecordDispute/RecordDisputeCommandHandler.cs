using Billing.Application.Abstractions.Persistence;
using Billing.Domain.Common;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Stripe.Webhooks.RecordDispute;

/// <summary>
/// Policy (docs/decisions/0005-stripe-disputes-and-refunds.md): an opened dispute only records (the outcome is open and the
/// credits may be spent already); a lost one claws back whatever the purchase still holds (keyed <c>stripe:dispute:{id}</c>);
/// a won one restores nothing because nothing was taken. Disputes on subscription payments are recorded only.
/// </summary>
internal sealed class RecordDisputeCommandHandler(IBillingDbContext db, ILogger<RecordDisputeCommandHandler> logger)
    : IRequestHandler<RecordDisputeCommand, StripeEventResult>
{
    public async Task<StripeEventResult> Handle(RecordDisputeCommand request, CancellationToken cancellationToken)
    {
        var stripeEvent = request.Event;
        if (request.Dispute is not { } dispute)
        {
            return StripeFetch.Missing(stripeEvent, "dispute");
        }

        if (stripeEvent.Type == "charge.dispute.created" || dispute.Status is not ("won" or "lost"))
        {
            logger.LogWarning("Stripe dispute {DisputeId} on charge {ChargeId}: {Status} ({Reason}, {Amount} {Currency})", dispute.Id, dispute.ChargeId, dispute.Status, dispute.Reason, dispute.Amount, dispute.Currency);
            return StripeEventResult.Ignored($"dispute {dispute.Id} on charge {dispute.ChargeId} is {dispute.Status} ({dispute.Reason}): recorded; credits are clawed back only if it is lost");
        }

        if (dispute.Status == "won")
        {
            logger.LogInformation("Stripe dispute {DisputeId} won", dispute.Id);
            return StripeEventResult.Ignored($"dispute {dispute.Id} won: nothing was clawed back, so nothing is restored");
        }

        var paymentIntentId = dispute.PaymentIntentId ?? request.Charge?.PaymentIntentId;

        var purchase = paymentIntentId is null
            ? null
            : await db.Purchases.SingleOrDefaultAsync(p => p.Provider == PaymentProvider.Stripe && p.ProviderPaymentId == paymentIntentId, cancellationToken);
        if (purchase is null)
        {
            logger.LogWarning("Stripe dispute {DisputeId} lost on a charge that pays no credit pack known here; recorded only", dispute.Id);
            return StripeEventResult.Ignored($"dispute {dispute.Id} lost on charge {dispute.ChargeId}, which pays no credit pack known here: recorded only");
        }

        logger.LogWarning("Stripe dispute {DisputeId} lost: clawing back what remains of purchase {PurchaseId}", dispute.Id, purchase.Id.Value);
        return purchase.RecordDisputeLost(GrantKey.ForStripeDispute(dispute.Id), stripeEvent.Created)
            ? StripeEventResult.Processed()
            : StripeEventResult.Ignored($"dispute {dispute.Id} lost, but purchase {purchase.Id.Value} was already fully refunded");
    }
}
