using Billing.Application.Abstractions.Apple;
using Billing.Application.Apple.Notifications;
using Billing.Application.Inbox;
using Billing.Application.Inbox.ReceiveProviderEvent;
using Billing.Domain.Common;
using MediatR;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Apple.ReceiveAppleNotification;

/// <summary>
/// Intake only: the outer JWS and the nested signedTransactionInfo / signedRenewalInfo are verified (the signature is the
/// authentication), and the raw body is stored once per notificationUUID (Apple's retries reuse it). Acting on it is the
/// inbox processor's job (<see cref="AppleNotificationProcessor"/>), so the answer is fast and a crash after it loses nothing.
/// Any refusal throws before anything is stored.
/// </summary>
internal sealed class ReceiveAppleNotificationCommandHandler(
    IAppleNotificationBodyReader bodies,
    IAppleSignedDataVerifier verifier,
    IMediator mediator,
    ILogger<ReceiveAppleNotificationCommandHandler> logger)
    : IRequestHandler<ReceiveAppleNotificationCommand, ReceiveAppleNotificationResult>
{
    private const int MaxEventTypeLength = 100;

    public async Task<ReceiveAppleNotificationResult> Handle(ReceiveAppleNotificationCommand request, CancellationToken cancellationToken)
    {
        if (!bodies.TryReadSignedPayload(request.Body, out var signedPayload, out var error))
        {
            logger.LogWarning("Apple notification refused: {Error}; nothing stored", error);
            throw new InvalidDomainValueException(AppleReasonCodes.MalformedNotification, error);
        }

        var verification = verifier.VerifyNotification(signedPayload);
        if (!verification.IsValid)
        {
            logger.LogWarning("Apple notification refused: {Failure} ({Reason}); nothing stored", verification.Failure, verification.FailureMessage);
            throw new AppleSignedDataRejectedException(verification.Failure, verification.FailureMessage);
        }

        var notification = verification.Value;
        if (string.IsNullOrWhiteSpace(notification.NotificationUuid) || notification.NotificationUuid.Length > 255
            || string.IsNullOrWhiteSpace(notification.NotificationType))
        {
            logger.LogWarning("Apple notification refused: no notificationUUID or notificationType; nothing stored");
            throw new InvalidDomainValueException(AppleReasonCodes.MalformedNotification, "The notification has no notificationUUID or notificationType.");
        }

        var eventType = EventType(notification);
        var received = await mediator.Send(
            new ReceiveProviderEventCommand(InboxProviders.Apple, notification.NotificationUuid, eventType, request.Body, notification.SignedDate),
            cancellationToken);
        return new ReceiveAppleNotificationResult(notification.NotificationUuid, eventType, received.Duplicate);
    }

    /// <summary><c>TYPE</c> or <c>TYPE/SUBTYPE</c>, e.g. <c>DID_CHANGE_RENEWAL_STATUS/AUTO_RENEW_DISABLED</c>.</summary>
    internal static string EventType(AppleNotification notification)
    {
        var type = string.IsNullOrEmpty(notification.Subtype) ? notification.NotificationType! : $"{notification.NotificationType}/{notification.Subtype}";
        return type.Length <= MaxEventTypeLength ? type : type[..MaxEventTypeLength];
    }
}
