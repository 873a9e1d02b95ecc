using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Billing.Application.Abstractions.Apple;
using Billing.Application.Inbox;
using Billing.Domain.Catalog;

namespace Billing.Application.Apple.Notifications;

/// <summary>
/// A stored App Store Server Notification, verified again when it is prepared (the stored body is raw input): the decoded
/// notification, its nested transaction and renewal info, and <see cref="OccurredAt"/>, the notification's
/// <c>signedDate</c> that orders every status change (older events never regress state).
/// </summary>
public sealed record AppleNotificationEvent(AppleNotification Notification, DateTimeOffset OccurredAt, AppleTransaction? Transaction, AppleRenewalInfo? RenewalInfo)
{
    /// <summary>
    /// The notification's transaction and its catalog product when they can owe credits: a transaction is present, not
    /// revoked, and maps to one of our products. Otherwise <paramref name="ignored"/> says why the event grants nothing.
    /// </summary>
    public bool TryGrantableTransaction(
        [NotNullWhen(true)] out AppleTransaction? transaction,
        [NotNullWhen(true)] out string? transactionId,
        [NotNullWhen(true)] out Product? product,
        [NotNullWhen(false)] out string? ignored)
    {
        transaction = Transaction;
        transactionId = transaction?.TransactionId;
        product = null;
        if (transaction is null || transactionId is null)
        {
            ignored = "the notification carries no transaction";
            return false;
        }

        if (transaction.RevocationDate is not null)
        {
            ignored = $"transaction {transactionId} is revoked: nothing to grant";
            return false;
        }

        if (!AppleProducts.TryResolve(transaction, out product, out var code, out var reason))
        {
            ignored = $"{code}: {reason}";
            return false;
        }

        ignored = null;
        return true;
    }

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
