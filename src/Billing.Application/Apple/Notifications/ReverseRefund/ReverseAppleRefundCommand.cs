namespace Billing.Application.Apple.Notifications.ReverseRefund;

/// <summary>REFUND_REVERSED: what the refund really took is owed again, once per reversal.</summary>
public sealed record ReverseAppleRefundCommand(AppleNotificationEvent Notification) : IAppleNotificationCommand;
