using Billing.Application.Abstractions.Apple;
using Billing.Application.Apple.Notifications.ChangeSubscriptionStatus;
using Billing.Application.Apple.Notifications.RecordOneTimeCharge;
using Billing.Application.Apple.Notifications.RecordRefund;
using Billing.Application.Apple.Notifications.RecordSubscriptionPeriod;
using Billing.Application.Apple.Notifications.ReverseRefund;
using Billing.Application.Inbox;
using MediatR;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Apple.Notifications;

/// <summary>
/// Routes one stored App Store Server Notification V2 to its use case (docs/decisions/0006-apple-notifications.md), the same
/// shape as Stripe's events: <see cref="PrepareAsync"/> reads and verifies the stored body again (outer JWS and nested
/// transaction / renewal info; local, no network) and builds the command of its kind, or the result already decided; the
/// command's handler then runs inside the inbox's unit of work. Whatever cannot or need not be acted on (unknown user,
/// unknown type) is recorded as ignored with the reason, never retried forever; a business rule refusing it follows the
/// inbox's one policy (docs/decisions/0040). A new notification kind is one line in <see cref="Route"/> and one folder.
/// </summary>
internal sealed class AppleNotificationProcessor(
    IAppleNotificationBodyReader bodies,
    IAppleSignedDataVerifier verifier,
    IMediator mediator,
    ILogger<AppleNotificationProcessor> logger) : IProviderEventProcessor
{
    public string Provider => InboxProviders.Apple;

    public Task<object?> PrepareAsync(InboxEvent inboxEvent, CancellationToken cancellationToken) => Task.FromResult(Prepare(inboxEvent));

    public Task<ProviderEventResult> ProcessAsync(InboxEvent inboxEvent, object? prepared, CancellationToken cancellationToken) =>
        PreparedProviderEvent.SendAsync(mediator, inboxEvent, prepared, cancellationToken);

    private object? Prepare(InboxEvent inboxEvent)
    {
        if (!bodies.TryReadSignedPayload(inboxEvent.Payload, out var signedPayload, out var error))
        {
            return ProviderEventResult.Ignored($"unreadable stored body: {error}");
        }

        var verification = verifier.VerifyNotification(signedPayload);
        if (!verification.IsValid)
        {
            logger.LogWarning("Stored Apple notification {EventId} no longer verifies: {Failure} ({Reason})", inboxEvent.EventId, verification.Failure, verification.FailureMessage);
            return ProviderEventResult.Ignored($"the stored notification does not verify ({AppleReasonCodes.For(verification.Failure)}): {verification.FailureMessage}");
        }

        var notification = verification.Value;
        if (!string.Equals(notification.NotificationUuid, inboxEvent.EventId, StringComparison.Ordinal))
        {
            return ProviderEventResult.Ignored("the signed notificationUUID differs from the stored event id");
        }

        return Route(new AppleNotificationEvent(
            notification,
            notification.SignedDate ?? inboxEvent.ProviderCreatedAt ?? inboxEvent.ReceivedAt,
            notification.Data?.Transaction,
            notification.Data?.RenewalInfo));
    }

    /// <summary>The use case of a notification type (and subtype), or the result decided without one.</summary>
    internal static object Route(AppleNotificationEvent n) => n.Notification.NotificationType switch
    {
        "SUBSCRIBED" or "DID_RENEW" or "OFFER_REDEEMED" => new RecordAppleSubscriptionPeriodCommand(n),
        "DID_CHANGE_RENEWAL_PREF" when n.Notification.Subtype == "UPGRADE" => new RecordAppleSubscriptionPeriodCommand(n),
        "DID_CHANGE_RENEWAL_PREF" => new ChangeAppleSubscriptionStatusCommand(n, AppleSubscriptionChange.RenewalTier),
        "DID_FAIL_TO_RENEW" => new ChangeAppleSubscriptionStatusCommand(n, AppleSubscriptionChange.PastDue),
        "GRACE_PERIOD_EXPIRED" or "EXPIRED" => new ChangeAppleSubscriptionStatusCommand(n, AppleSubscriptionChange.Expire),
        "DID_CHANGE_RENEWAL_STATUS" => n.Notification.Subtype switch
        {
            "AUTO_RENEW_DISABLED" => new ChangeAppleSubscriptionStatusCommand(n, AppleSubscriptionChange.Cancel),
            "AUTO_RENEW_ENABLED" => new ChangeAppleSubscriptionStatusCommand(n, AppleSubscriptionChange.Resume),
            _ => ProviderEventResult.Ignored($"DID_CHANGE_RENEWAL_STATUS with subtype '{n.Notification.Subtype}' is not handled"),
        },
        "REFUND" or "REVOKE" => new RecordAppleRefundCommand(n),
        "REFUND_REVERSED" => new ReverseAppleRefundCommand(n),
        "ONE_TIME_CHARGE" => new RecordAppleOneTimeChargeCommand(n),
        "CONSUMPTION_REQUEST" => ProviderEventResult.Ignored(
            $"consumption request recorded (reason {n.Notification.Data?.ConsumptionRequestReason ?? "none"}, transaction {n.Transaction?.TransactionId ?? "none"}); no consumption information is sent to Apple"),
        "TEST" => ProviderEventResult.Ignored("test notification acknowledged"),
        "REFUND_DECLINED" or "PRICE_INCREASE" or "RENEWAL_EXTENDED" or "RENEWAL_EXTENSION" or "METADATA_UPDATE" or "MIGRATION"
            or "PRICE_CHANGE" or "EXTERNAL_PURCHASE_TOKEN" or "RESCIND_CONSENT" =>
            ProviderEventResult.Ignored($"{n.Notification.NotificationType} is informational here: no credits or status follow from it"),
        _ => ProviderEventResult.Ignored($"notification type '{n.Notification.NotificationType}' is not handled"),
    };
}
