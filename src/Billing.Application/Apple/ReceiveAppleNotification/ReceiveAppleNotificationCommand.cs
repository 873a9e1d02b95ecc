using Billing.Application.Abstractions.Messaging;

namespace Billing.Application.Apple.ReceiveAppleNotification;

/// <summary>An App Store Server Notification V2 as POSTed by Apple (the raw body): verify it, then store it in the inbox.</summary>
public sealed record ReceiveAppleNotificationCommand(string Body) : ICommand<ReceiveAppleNotificationResult>;

public sealed record ReceiveAppleNotificationResult(string NotificationUuid, string EventType, bool Duplicate);
