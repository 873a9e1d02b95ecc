using Billing.Application.Abstractions.Persistence;
using Billing.Application.Abstractions.Stripe;
using Billing.Application.Grants;
using Billing.Application.Inbox;
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
internal sealed class RecordDisputeCommandHandler(IBillingDbContext db, ClawbackReversals reversals, ILogger<RecordDisputeCommandHandler> logger)
    : IRequestHandler<RecordDisputeCommand, ProviderEventResult>
{
    public async Task<ProviderEventResult> Handle(RecordDisputeCommand request, CancellationToken cancellationToken)
    {
        var stripeEvent = request.Event;
        if (request.Dispute is not { } dispute)
        {
            return StripeFetch.Missing(stripeEvent, "dispute");
        }

        if (stripeEvent.Type == "charge.dispute.created" || dispute.Status is not ("won" or "lost"))
        {
            logger.LogWarning("Stripe dispute {DisputeId} on charge {ChargeId}: {Status} ({Reason}, {Amount} {Currency})", dispute.Id, dispute.ChargeId, dispute.Status, dispute.Reason, dispute.Amount, dispute.Currency);
            return ProviderEventResult.Ignored($"dispute {dispute.Id} on charge {dispute.ChargeId} is {dispute.Status} ({dispute.Reason}): recorded; credits are clawed back only if it is lost");
        }

        var lossKey = GrantKey.ForStripeDispute(dispute.Id);
        if (dispute.Status == "won")
        {
            logger.LogInformation("Stripe dispute {DisputeId} won", dispute.Id);
            return await ReverseLossAsync(dispute, request.Charge, lossKey, stripeEvent.Created, cancellationToken)
                ?? ProviderEventResult.Ignored($"dispute {dispute.Id} won: nothing was clawed back, so nothing is restored");
        }

        var paymentIntentId = dispute.PaymentIntentId ?? request.Charge?.PaymentIntentId;

        var purchase = paymentIntentId is null
            ? null
            : await db.Purchases.SingleOrDefaultAsync(p => p.Provider == PaymentProvider.Stripe && p.ProviderPaymentId == paymentIntentId, cancellationToken);
        if (purchase is null)
        {
            logger.LogWarning("Stripe dispute {DisputeId} lost on a charge that pays no credit pack known here; recorded only", dispute.Id);
            return ProviderEventResult.Ignored($"dispute {dispute.Id} lost on charge {dispute.ChargeId}, which pays no credit pack known here: recorded only");
        }

        logger.LogWarning("Stripe dispute {DisputeId} lost: clawing back what remains of purchase {PurchaseId}", dispute.Id, purchase.Id.Value);
        return purchase.RecordDisputeLost(lossKey, stripeEvent.Created)
            ? ProviderEventResult.Processed()
            : ProviderEventResult.Ignored($"dispute {dispute.Id} lost, but purchase {purchase.Id.Value} was already fully refunded");
    }

    /// <summary>
    /// A dispute that was lost (and clawed back) and then won after all: its clawback is voided when it was never applied, and
    /// only what it really debited is restored, once (<c>stripe:dispute-won:{id}</c>; docs/decisions/0011). Null when the loss
    /// clawed back nothing (a dispute won outright).
    /// </summary>
    private async Task<ProviderEventResult?> ReverseLossAsync(StripeDispute dispute, StripeCharge? charge, GrantKey lossKey, DateTimeOffset occurredAt, CancellationToken cancellationToken)
    {
        var loss = await db.CreditGrants.AsNoTracking().SingleOrDefaultAsync(g => g.GrantKey == lossKey, cancellationToken);
        if (loss is null)
        {
            return null;
        }

        var restoreKey = GrantKey.ForStripeDisputeWon(dispute.Id);
        if (await db.CreditGrants.AnyAsync(g => g.GrantKey == restoreKey, cancellationToken) || loss.Status == Domain.Grants.CreditGrantStatus.Voided)
        {
            return ProviderEventResult.Ignored($"dispute {dispute.Id} won: its loss was already reversed");
        }

        var purchase = charge?.PaymentIntentId is { } paymentIntentId
            ? await db.Purchases.SingleOrDefaultAsync(p => p.Provider == PaymentProvider.Stripe && p.ProviderPaymentId == paymentIntentId, cancellationToken)
            : null;
        if (purchase is null)
        {
            return ProviderEventResult.Ignored($"dispute {dispute.Id} won, but the purchase its loss clawed back is not found: recorded only");
        }

        var debited = await reversals.VoidUnappliedExactAsync(lossKey.Value, $"voided: dispute {dispute.Id} was won after its loss was recorded, before this clawback was applied", cancellationToken);
        var reversed = purchase.ReverseDisputeLoss(restoreKey, Credits.Of(-loss.Amount), charge!.AmountRefunded, Credits.Of(debited), occurredAt);
        logger.LogWarning("Stripe dispute {DisputeId} won after it was lost: {Credits} debited credits restored to purchase {PurchaseId}", dispute.Id, debited, purchase.Id.Value);
        return reversed
            ? ProviderEventResult.Processed($"dispute {dispute.Id} won after its loss: {debited} debited credits restored")
            : ProviderEventResult.Ignored($"dispute {dispute.Id} won: purchase {purchase.Id.Value} holds nothing the dispute took");
    }
}
