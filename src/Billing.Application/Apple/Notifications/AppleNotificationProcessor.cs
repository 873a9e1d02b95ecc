using Billing.Application.Abstractions.Apple;
using Billing.Application.Abstractions.Attention;
using Billing.Application.Abstractions.Persistence;
using Billing.Application.Grants;
using Billing.Application.Inbox;
using Billing.Domain.Catalog;
using Billing.Domain.Common;
using Billing.Domain.Purchases;
using Billing.Domain.Subscriptions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Apple.Notifications;

/// <summary>
/// Acts on one stored App Store Server Notification V2 (docs/decisions/0006-apple-notifications.md). The stored body is raw
/// input, so it is verified again here (outer JWS and nested transaction / renewal info). Every status change is ordered by
/// the notification's <c>signedDate</c> (older events never regress state); every grant is keyed by the transactionId, every
/// clawback / restore by transactionId + notificationUUID. Whatever cannot or need not be acted on (unknown user, unknown
/// type, a transition a business rule refuses) is recorded as ignored with the reason, never retried forever.
/// </summary>
internal sealed class AppleNotificationProcessor(
    IAppleSignedDataVerifier verifier,
    AppleEntitlements entitlements,
    ClawbackReversals reversals,
    IAttentionList attention,
    IBillingDbContext db,
    ILogger<AppleNotificationProcessor> logger) : IProviderEventProcessor
{
    public string Provider => InboxProviders.Apple;

    public async Task<(InboxOutcome Outcome, string? Reason)> ProcessAsync(InboxEvent inboxEvent, object? prepared, CancellationToken cancellationToken)
    {
        if (!AppleNotificationBody.TryReadSignedPayload(inboxEvent.Payload, out var signedPayload, out var error))
        {
            return Ignored($"unreadable stored body: {error}");
        }

        var verification = verifier.VerifyNotification(signedPayload);
        if (!verification.IsValid)
        {
            logger.LogWarning("Stored Apple notification {EventId} no longer verifies: {Failure} ({Reason})", inboxEvent.EventId, verification.Failure, verification.FailureMessage);
            return Ignored($"the stored notification does not verify ({AppleReasonCodes.For(verification.Failure)}): {verification.FailureMessage}");
        }

        var notification = verification.Value;
        if (!string.Equals(notification.NotificationUuid, inboxEvent.EventId, StringComparison.Ordinal))
        {
            return Ignored("the signed notificationUUID differs from the stored event id");
        }

        var context = new NotificationContext(
            notification,
            notification.SignedDate ?? inboxEvent.ProviderCreatedAt ?? inboxEvent.ReceivedAt,
            notification.Data?.Transaction,
            notification.Data?.RenewalInfo);
        try
        {
            return await Route(context, cancellationToken);
        }
        catch (DomainException refused)
        {
            // Nothing half-done may commit with the "ignored" mark: drop every pending change except the inbox row itself.
            DiscardPendingChanges();
            logger.LogWarning("Apple notification {NotificationUuid} ({Type}) refused by a business rule: {Code}: {Message}", notification.NotificationUuid, notification.NotificationType, refused.Code, refused.Message);
            return Ignored($"refused by a business rule ({refused.Code}): {refused.Message}");
        }
    }

    private Task<(InboxOutcome, string?)> Route(NotificationContext n, CancellationToken ct) => n.Notification.NotificationType switch
    {
        "SUBSCRIBED" or "DID_RENEW" or "OFFER_REDEEMED" => RecordSubscriptionPeriod(n, ct),
        "DID_CHANGE_RENEWAL_PREF" when n.Notification.Subtype == "UPGRADE" => RecordSubscriptionPeriod(n, ct),
        "DID_CHANGE_RENEWAL_PREF" => ChangeRenewalTier(n, ct),
        "DID_FAIL_TO_RENEW" => OnKnownSubscription(n, s => s.MarkPastDue(n.OccurredAt), GracePeriodNote(n), ct),
        "GRACE_PERIOD_EXPIRED" or "EXPIRED" => OnKnownSubscription(n, s => s.Expire(n.OccurredAt), null, ct),
        "DID_CHANGE_RENEWAL_STATUS" => n.Notification.Subtype switch
        {
            "AUTO_RENEW_DISABLED" => OnKnownSubscription(n, s => s.Cancel(n.OccurredAt), null, ct),
            "AUTO_RENEW_ENABLED" => OnKnownSubscription(n, s => s.Resume(n.OccurredAt), null, ct),
            _ => Task.FromResult(Ignored($"DID_CHANGE_RENEWAL_STATUS with subtype '{n.Notification.Subtype}' is not handled")),
        },
        "REFUND" or "REVOKE" => Refund(n, ct),
        "REFUND_REVERSED" => ReverseRefund(n, ct),
        "ONE_TIME_CHARGE" => OneTimeCharge(n, ct),
        "CONSUMPTION_REQUEST" => Task.FromResult(Ignored(
            $"consumption request recorded (reason {n.Notification.Data?.ConsumptionRequestReason ?? "none"}, transaction {n.Transaction?.TransactionId ?? "none"}); no consumption information is sent to Apple")),
        "TEST" => Task.FromResult(Ignored("test notification acknowledged")),
        "REFUND_DECLINED" or "PRICE_INCREASE" or "RENEWAL_EXTENDED" or "RENEWAL_EXTENSION" or "METADATA_UPDATE" or "MIGRATION"
            or "PRICE_CHANGE" or "EXTERNAL_PURCHASE_TOKEN" or "RESCIND_CONSENT" =>
            Task.FromResult(Ignored($"{n.Notification.NotificationType} is informational here: no credits or status follow from it")),
        _ => Task.FromResult(Ignored($"notification type '{n.Notification.NotificationType}' is not handled")),
    };

    /// <summary>SUBSCRIBED, DID_RENEW, OFFER_REDEEMED, DID_CHANGE_RENEWAL_PREF/UPGRADE: a paid period, granted once per transactionId.</summary>
    private async Task<(InboxOutcome, string?)> RecordSubscriptionPeriod(NotificationContext n, CancellationToken ct)
    {
        if (n.Transaction is not { TransactionId: { } transactionId } transaction)
        {
            return Ignored("the notification carries no transaction");
        }

        if (transaction.RevocationDate is not null)
        {
            return Ignored($"transaction {transactionId} is revoked: nothing to grant");
        }

        if (!AppleProducts.TryResolve(transaction, out var product, out var code, out var reason))
        {
            return Ignored($"{code}: {reason}");
        }

        if (product is not SubscriptionTier tier)
        {
            return Ignored($"product '{product.Id}' is a credit pack, not a subscription tier");
        }

        var known = await entitlements.FindSubscriptionAsync(transaction.OriginalTransactionId ?? transactionId, ct);
        var userId = await ResolveUserAsync(n, known?.UserId, ct);
        if (userId is null)
        {
            return await Unattributable(n, transactionId, UnknownUser(n), ct);
        }

        if (known is not null && known.UserId != userId.Value && !AppleEntitlements.IsPurchaseByTokenHolder(transaction, userId.Value)
            && known.PaidPeriods.All(p => p.GrantKey != GrantKey.ForAppleTransaction(transactionId).Value))
        {
            // A renewal whose token names someone other than the owner: only a new purchase moves a subscription.
            return await Unattributable(
                n,
                transactionId,
                $"transaction {transactionId} ({transaction.TransactionReason ?? "no reason"}) names user {userId.Value.Value}, but subscription {known.ProviderSubscriptionId} belongs to another user and only a PURCHASE with the buyer's token moves it",
                ct);
        }

        var outcome = await entitlements.RecordSubscriptionPeriodAsync(userId.Value, tier, transaction, n.OccurredAt, ct);
        if (outcome.SandboxNotGranted is { } sandboxReason)
        {
            return Ignored($"{VerifyApplePurchase.VerifyApplePurchaseResult.SandboxNotGranted}: {sandboxReason} (period recorded, nothing granted)");
        }

        logger.LogInformation(
            "Apple {Type} for transaction {TransactionId}: {Outcome}",
            EventName(n),
            transactionId,
            outcome.Granted ? $"{outcome.Credits} credits owed to user {userId.Value.Value}" : "period already granted");
        return Processed();
    }

    /// <summary>
    /// DID_CHANGE_RENEWAL_PREF (DOWNGRADE, or no subtype = a pending downgrade cancelled): the tier that renews next is the
    /// renewal info's autoRenewProductId. Recorded now; it sizes the next paid period's grant (the current one is already granted).
    /// </summary>
    private async Task<(InboxOutcome, string?)> ChangeRenewalTier(NotificationContext n, CancellationToken ct)
    {
        var nextProductId = n.RenewalInfo?.AutoRenewProductId;
        if (!ProductCatalog.TryFind(nextProductId, out var product) || product is not SubscriptionTier tier)
        {
            return Ignored($"the renewal product '{nextProductId}' is not a subscription tier in the catalog");
        }

        return await OnKnownSubscription(n, s => s.ChangeTier(tier, n.OccurredAt), null, ct);
    }

    /// <summary>A status change on a subscription billing knows. Apple never names the user, so an unknown one cannot be created from a status event.</summary>
    private async Task<(InboxOutcome, string?)> OnKnownSubscription(NotificationContext n, Func<Subscription, bool> change, string? note, CancellationToken ct)
    {
        var originalTransactionId = OriginalTransactionId(n);
        if (originalTransactionId is null)
        {
            return Ignored("the notification names no originalTransactionId");
        }

        var subscription = await entitlements.FindSubscriptionAsync(originalTransactionId, ct);
        if (subscription is null)
        {
            return Ignored($"no subscription is known for originalTransactionId {originalTransactionId}");
        }

        var before = subscription.Status;
        var changed = change(subscription);
        logger.LogInformation(
            "Apple {Type} on subscription {OriginalTransactionId}: {Before} -> {After}{Changed}{Note}",
            EventName(n),
            originalTransactionId,
            before,
            subscription.Status,
            changed ? "" : " (no change: repeated or older than the last event applied)",
            note is null ? "" : $"; {note}");
        return Processed();
    }

    /// <summary>
    /// REFUND / REVOKE: a consumable's purchase is refunded (its credits clawed back, negative <c>refund</c> grant); a
    /// subscription transaction's period has its grant clawed back, and when it was the current period the subscription ends.
    /// </summary>
    private async Task<(InboxOutcome, string?)> Refund(NotificationContext n, CancellationToken ct)
    {
        if (n.Transaction is not { TransactionId: { } transactionId } transaction)
        {
            return Ignored("the notification carries no transaction");
        }

        var refundKey = GrantKey.ForAppleRefund(transactionId, n.Notification.NotificationUuid!);
        var refundedAt = transaction.RevocationDate ?? n.OccurredAt;
        var purchase = await entitlements.FindPurchaseAsync(transactionId, ct);
        if (purchase is not null)
        {
            var share = ProratedShare(transaction);
            var refunded = share is { } milli
                ? purchase.RecordRefund(refundKey, Math.Max(1, purchase.Price.MinorUnits * milli / 100_000), refundedAt)
                : purchase.RecordFullRefund(refundKey, refundedAt);
            return refunded ? Processed() : Ignored($"purchase {transactionId} is already refunded");
        }

        var subscription = await entitlements.FindSubscriptionAsync(transaction.OriginalTransactionId ?? transactionId, ct);
        var paymentKey = GrantKey.ForAppleTransaction(transactionId);
        var period = subscription?.PaidPeriods.FirstOrDefault(p => p.GrantKey == paymentKey.Value);
        if (subscription is null || period is null)
        {
            return Ignored($"nothing was granted for transaction {transactionId}: nothing to claw back");
        }

        if (!subscription.RefundPeriod(paymentKey, refundKey, refundedAt))
        {
            return Ignored($"the period paid by transaction {transactionId} is already refunded");
        }

        if (subscription.CurrentPeriodEnd is { } end && period.PeriodEnd >= end)
        {
            // The refunded payment was for the period in force: the entitlement it bought is gone.
            subscription.Expire(n.OccurredAt);
        }

        return Processed();
    }

    /// <summary>
    /// REFUND_REVERSED: what the refund really took is owed again, once per reversal. Its clawbacks that were never applied are
    /// voided first, so a reversal of a clawback still pending, owed or dead restores nothing (docs/decisions/0011); a
    /// clawback in flight or in doubt makes the notification wait (retried) until it is settled.
    /// </summary>
    private async Task<(InboxOutcome, string?)> ReverseRefund(NotificationContext n, CancellationToken ct)
    {
        if (n.Transaction is not { TransactionId: { } transactionId } transaction)
        {
            return Ignored("the notification carries no transaction");
        }

        var reversalKey = GrantKey.ForAppleRefundReversal(transactionId, n.Notification.NotificationUuid!);
        var purchase = await entitlements.FindPurchaseAsync(transactionId, ct);
        var subscription = purchase is null
            ? await entitlements.FindSubscriptionAsync(transaction.OriginalTransactionId ?? transactionId, ct)
            : null;
        var paymentKey = GrantKey.ForAppleTransaction(transactionId);
        var refunded = purchase?.Status is PurchaseStatus.Refunded or PurchaseStatus.PartiallyRefunded
            || subscription?.PaidPeriods.Any(p => p.GrantKey == paymentKey.Value && p.RefundedAt is not null) == true;
        if (!refunded)
        {
            return Ignored($"transaction {transactionId} has no refund to reverse");
        }

        var debited = Credits.Of(await reversals.VoidUnappliedAsync(
            $"{GrantKey.ForAppleRefund(transactionId).Value}:",
            $"{GrantKey.ForAppleRefundReversal(transactionId).Value}:",
            $"voided: the refund was reversed (notification {n.Notification.NotificationUuid}) before this clawback was applied",
            ct));
        var reversed = purchase is not null
            ? purchase.ReverseRefund(reversalKey, debited, n.OccurredAt)
            : subscription!.ReversePeriodRefund(paymentKey, reversalKey, debited, n.OccurredAt);
        logger.LogInformation("Apple REFUND_REVERSED for transaction {TransactionId}: {Credits} credits that were debited are restored", transactionId, debited.Value);
        return reversed ? Processed() : Ignored($"transaction {transactionId} has no refund to reverse");
    }

    /// <summary>ONE_TIME_CHARGE: a consumable bought outside the verify route (or before it was called) is granted once per transactionId.</summary>
    private async Task<(InboxOutcome, string?)> OneTimeCharge(NotificationContext n, CancellationToken ct)
    {
        if (n.Transaction is not { TransactionId: { } transactionId } transaction)
        {
            return Ignored("the notification carries no transaction");
        }

        if (transaction.RevocationDate is not null)
        {
            return Ignored($"transaction {transactionId} is revoked: nothing to grant");
        }

        if (!AppleProducts.TryResolve(transaction, out var product, out var code, out var reason))
        {
            return Ignored($"{code}: {reason}");
        }

        if (product is not CreditPack pack)
        {
            return Ignored($"product '{product.Id}' is not a credit pack");
        }

        var known = await entitlements.FindPurchaseAsync(transactionId, ct);
        if (known is not null)
        {
            return Ignored($"transaction {transactionId} was already granted (verify route or an earlier notification)");
        }

        var userId = await ResolveUserAsync(n, knownOwner: null, ct);
        if (userId is null)
        {
            return await Unattributable(n, transactionId, UnknownUser(n), ct);
        }

        var recorded = await entitlements.RecordPackAsync(userId.Value, pack, transaction, ct);
        if (recorded.SandboxNotGranted is { } sandboxReason)
        {
            return Ignored($"{VerifyApplePurchase.VerifyApplePurchaseResult.SandboxNotGranted}: {sandboxReason} (purchase recorded, nothing granted)");
        }

        logger.LogInformation("Apple ONE_TIME_CHARGE {TransactionId} ({ProductId}) granted to user {UserId}", transactionId, pack.Id, userId.Value.Value);
        return Processed();
    }

    /// <summary>
    /// Who paid: the appAccountToken (the Flash user id as a UUID) when present; else the owner of the subscription already
    /// known under this originalTransactionId; else the owner of a purchase recorded under it. Null when none: Apple never
    /// tells us the user, so the notification is ignored with that reason (docs/decisions/0006).
    /// </summary>
    private async Task<UserId?> ResolveUserAsync(NotificationContext n, UserId? knownOwner, CancellationToken ct)
    {
        if ((n.Transaction?.AppAccountToken ?? n.RenewalInfo?.AppAccountToken) is { } token)
        {
            return AppleAccountToken.ToUserId(token);
        }

        if (knownOwner is not null)
        {
            return knownOwner;
        }

        return OriginalTransactionId(n) is { } originalTransactionId
            ? (await entitlements.FindPurchaseByOriginalTransactionAsync(originalTransactionId, ct))?.UserId
            : null;
    }

    /// <summary>
    /// A verified, paid transaction nobody can be credited with: recorded on the attention list (once per transaction) with the
    /// reason, and the notification acknowledged without a grant. The verify route of the buyer still grants and binds it.
    /// </summary>
    private async Task<(InboxOutcome, string?)> Unattributable(NotificationContext n, string transactionId, string reason, CancellationToken ct)
    {
        await attention.RaiseAsync(AttentionKinds.UnattributableAppleTransaction, GrantKey.ForAppleTransaction(transactionId).Value, null, $"{EventName(n)}: {reason}", ct);
        logger.LogWarning("Apple {Type} for transaction {TransactionId} cannot be attributed: on the attention list", EventName(n), transactionId);
        return Ignored($"{reason} (on the attention list)");
    }

    private void DiscardPendingChanges()
    {
        foreach (var entry in db.ChangeTracker.Entries().Where(e => e.Entity is not InboxEvent).ToList())
        {
            entry.State = EntityState.Detached;
        }
    }

    /// <summary>REFUND_PRORATED with a percentage below 100 %: the share refunded, in milli-percent; null means the whole purchase.</summary>
    private static long? ProratedShare(AppleTransaction transaction) =>
        transaction is { RevocationType: "REFUND_PRORATED", RevocationPercentage: > 0 and < 100_000 and var milli } ? milli : null;

    private static string? GracePeriodNote(NotificationContext n) =>
        n.Notification.Subtype == "GRACE_PERIOD"
            ? $"in the billing grace period until {n.RenewalInfo?.GracePeriodExpiresDate?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "an unknown date"}"
            : null;

    private static string? OriginalTransactionId(NotificationContext n) =>
        n.Transaction?.OriginalTransactionId ?? n.RenewalInfo?.OriginalTransactionId ?? n.Transaction?.TransactionId;

    private static string UnknownUser(NotificationContext n) =>
        $"unknown user: transaction {n.Transaction?.TransactionId} has no appAccountToken and nothing is recorded for originalTransactionId {OriginalTransactionId(n)}";

    private static string EventName(NotificationContext n) =>
        n.Notification.Subtype is { Length: > 0 } subtype ? $"{n.Notification.NotificationType}/{subtype}" : n.Notification.NotificationType!;

    private static (InboxOutcome, string?) Processed() => (InboxOutcome.Processed, null);

    private static (InboxOutcome, string?) Ignored(string reason) => (InboxOutcome.Ignored, reason);

    private sealed record NotificationContext(AppleNotification Notification, DateTimeOffset OccurredAt, AppleTransaction? Transaction, AppleRenewalInfo? RenewalInfo);
}
