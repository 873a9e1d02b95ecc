using Billing.Application.Abstractions.Attention;
using Billing.Application.Inbox;
using Billing.Domain.Common;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Apple.Notifications;

/// <summary>Who paid for what an App Store notification reports, shared by the notification use cases (docs/decisions/0006, 0014).</summary>
internal sealed class AppleBuyers(AppleEntitlements entitlements, IAttentionList attention, ILogger<AppleBuyers> logger)
{
    /// <summary>
    /// The appAccountToken (the Flash user id as a UUID) when present; else <paramref name="knownOwner"/>, the owner of the
    /// subscription already known under this originalTransactionId; else the owner of a purchase recorded under it. Null when
    /// none: Apple never tells us the user, so the notification is ignored with that reason.
    /// </summary>
    public async Task<UserId?> ResolveAsync(AppleNotificationEvent n, UserId? knownOwner, CancellationToken ct)
    {
        if ((n.Transaction?.AppAccountToken ?? n.RenewalInfo?.AppAccountToken) is { } token)
        {
            return AppleAccountToken.ToUserId(token);
        }

        if (knownOwner is not null)
        {
            return knownOwner;
        }

        return n.OriginalTransactionId is { } originalTransactionId
            ? (await entitlements.FindPurchaseByOriginalTransactionAsync(originalTransactionId, ct))?.UserId
            : null;
    }

    /// <summary>
    /// A verified, paid transaction nobody can be credited with: recorded on the attention list (once per transaction) with the
    /// reason, and the notification acknowledged without a grant. The verify route of the buyer still grants and binds it.
    /// </summary>
    public async Task<ProviderEventResult> UnattributableAsync(AppleNotificationEvent n, string transactionId, string reason, CancellationToken ct)
    {
        await attention.RaiseAsync(AttentionKinds.UnattributableAppleTransaction, GrantKey.ForAppleTransaction(transactionId).Value, null, $"{n.EventName}: {reason}", ct);
        logger.LogWarning("Apple {Type} for transaction {TransactionId} cannot be attributed: on the attention list", n.EventName, transactionId);
        return ProviderEventResult.Ignored($"{reason} (on the attention list)");
    }
}
