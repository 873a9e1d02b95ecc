namespace Billing.Application.Apple.Notifications.RecordRefund;

/// <summary>REFUND / REVOKE: what the refunded transaction granted is clawed back, once per notification.</summary>
public sealed record RecordAppleRefundCommand(AppleNotificationEvent Notification) : IAppleNotificationCommand;
