using Billing.Application.Apple.VerifyApplePurchase;
using Billing.Application.Inbox;
using Billing.Domain.Catalog;
using Billing.Domain.Common;
using MediatR;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Apple.Notifications.RecordSubscriptionPeriod;

/// <summary>
/// Records the paid period of the notification's transaction on the subscription of its originalTransactionId (started
/// when new), owing its credits once under <c>apple:transaction:{transactionId}</c>. Only a purchase with the buyer's token
/// moves a subscription to another user (docs/decisions/0014); a transaction nobody can be credited with goes to the
/// attention list.
/// </summary>
internal sealed class RecordAppleSubscriptionPeriodCommandHandler(
    AppleEntitlements entitlements,
    AppleBuyers buyers,
    ILogger<RecordAppleSubscriptionPeriodCommandHandler> logger)
    : IRequestHandler<RecordAppleSubscriptionPeriodCommand, ProviderEventResult>
{
    public async Task<ProviderEventResult> Handle(RecordAppleSubscriptionPeriodCommand request, CancellationToken cancellationToken)
    {
        var n = request.Notification;
        if (!n.TryGrantableTransaction(out var transaction, out var transactionId, out var product, out var ignored))
        {
            return ProviderEventResult.Ignored(ignored);
        }

        if (product is not SubscriptionTier tier)
        {
            return ProviderEventResult.Ignored($"product '{product.Id}' is a credit pack, not a subscription tier");
        }

        var known = await entitlements.FindSubscriptionAsync(transaction.OriginalTransactionId ?? transactionId, cancellationToken);
        var userId = await buyers.ResolveAsync(n, known?.UserId, cancellationToken);
        if (userId is null)
        {
            return await buyers.UnattributableAsync(n, transactionId, n.UnknownUser, cancellationToken);
        }

        if (known is not null && known.UserId != userId.Value && !AppleEntitlements.IsPurchaseByTokenHolder(transaction, userId.Value)
            && known.PaidPeriods.All(p => p.GrantKey != GrantKey.ForAppleTransaction(transactionId).Value))
        {
            // A renewal whose token names someone other than the owner: only a new purchase moves a subscription.
            return await buyers.UnattributableAsync(
                n,
                transactionId,
                $"transaction {transactionId} ({transaction.TransactionReason ?? "no reason"}) names user {userId.Value.Value}, but subscription {known.ProviderSubscriptionId} belongs to another user and only a PURCHASE with the buyer's token moves it",
                cancellationToken);
        }

        var outcome = await entitlements.RecordSubscriptionPeriodAsync(userId.Value, tier, transaction, n.OccurredAt, cancellationToken);
        if (outcome.SandboxNotGranted is { } sandboxReason)
        {
            return ProviderEventResult.Ignored($"{VerifyApplePurchaseResult.SandboxNotGranted}: {sandboxReason} (period recorded, nothing granted)");
        }

        logger.LogInformation(
            "Apple {Type} for transaction {TransactionId}: {Outcome}",
            n.EventName,
            transactionId,
            outcome.Granted ? $"{outcome.Credits} credits owed to user {userId.Value.Value}" : "period already granted");
        return ProviderEventResult.Processed();
    }
}
