using System.Globalization;
using Billing.Application.Abstractions.Apple;
using Billing.Application.Inbox;

namespace Billing.Application.Apple.Notifications;

/// <summary>
/// A stored App Store Server Notification, verified again when it is prepared (the stored body is raw input): the decoded
/// notification, its nested transaction and renewal info, and <see cref="OccurredAt"/>, the notification's
/// <c>signedDate</c> that orders every status change (older events never regress state).
/// </summary>
public sealed record AppleNotificationEvent(AppleNotification Notification, DateTimeOffset OccurredAt, AppleTransaction? Transaction, AppleRenewalInfo? RenewalInfo)
{
    public string NotificationUuid => Notification.NotificationUuid!;

    /// <summary><c>TYPE</c> or <c>TYPE/SUBTYPE</c>, as logged.</summary>
    public string EventName => Notification.Subtype is { Length: > 0 } subtype ? $"{Notification.NotificationType}/{subtype}" : Notification.NotificationType!;

    /// <summary>The subscription (or first purchase) the notification is about.</summary>
    public string? OriginalTransactionId => Transaction?.OriginalTransactionId ?? RenewalInfo?.OriginalTransactionId ?? Transaction?.TransactionId;

    public string UnknownUser =>
        $"unknown user: transaction {Transaction?.TransactionId} has no appAccountToken and nothing is recorded for originalTransactionId {OriginalTransactionId}";

    public string? GracePeriodNote =>
        Notification.Subtype == "GRACE_PERIOD"
            ? $"in the billing grace period until {RenewalInfo?.GracePeriodExpiresDate?.ToString("O", CultureInfo.InvariantCulture) ?? "an unknown date"}"
            : null;
}

/// <summary>The use case for one kind of App Store notification; built by <see cref="AppleNotificationProcessor.PrepareAsync"/>.</summary>
public interface IAppleNotificationCommand : IProviderEventCommand
{
    AppleNotificationEvent Notification { get; }
}
