using Billing.Application.Inbox;
using Billing.Domain.Catalog;
using MediatR;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Apple.Notifications.ChangeSubscriptionStatus;

/// <summary>Applies the change at the notification's signedDate; the aggregate ignores a repeated or older one.</summary>
internal sealed class ChangeAppleSubscriptionStatusCommandHandler(AppleEntitlements entitlements, ILogger<ChangeAppleSubscriptionStatusCommandHandler> logger)
    : IRequestHandler<ChangeAppleSubscriptionStatusCommand, ProviderEventResult>
{
    public async Task<ProviderEventResult> Handle(ChangeAppleSubscriptionStatusCommand request, CancellationToken cancellationToken)
    {
        var n = request.Notification;
        SubscriptionTier? nextTier = null;
        if (request.Change == AppleSubscriptionChange.RenewalTier)
        {
            var nextProductId = n.RenewalInfo?.AutoRenewProductId;
            if (!ProductCatalog.TryFind(nextProductId, out var product) || product is not SubscriptionTier tier)
            {
                return ProviderEventResult.Ignored($"the renewal product '{nextProductId}' is not a subscription tier in the catalog");
            }

            nextTier = tier;
        }

        if (n.OriginalTransactionId is not { } originalTransactionId)
        {
            return ProviderEventResult.Ignored("the notification names no originalTransactionId");
        }

        var subscription = await entitlements.FindSubscriptionAsync(originalTransactionId, cancellationToken);
        if (subscription is null)
        {
            return ProviderEventResult.Ignored($"no subscription is known for originalTransactionId {originalTransactionId}");
        }

        var before = subscription.Status;
        var changed = request.Change switch
        {
            AppleSubscriptionChange.PastDue => subscription.MarkPastDue(n.OccurredAt),
            AppleSubscriptionChange.Expire => subscription.Expire(n.OccurredAt),
            AppleSubscriptionChange.Cancel => subscription.Cancel(n.OccurredAt),
            AppleSubscriptionChange.Resume => subscription.Resume(n.OccurredAt),
            AppleSubscriptionChange.RenewalTier => subscription.ChangeTier(nextTier!, n.OccurredAt),
            _ => throw new ArgumentOutOfRangeException(nameof(request), request.Change, "unknown subscription change"),
        };
        var note = request.Change == AppleSubscriptionChange.PastDue ? n.GracePeriodNote : null;
        logger.LogInformation(
            "Apple {Type} on subscription {OriginalTransactionId}: {Before} -> {After}{Changed}{Note}",
            n.EventName,
            originalTransactionId,
            before,
            subscription.Status,
            changed ? "" : " (no change: repeated or older than the last event applied)",
            note is null ? "" : $"; {note}");
        return ProviderEventResult.Processed();
    }
}
