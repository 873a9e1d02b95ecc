namespace Billing.Application.Apple.Notifications.RecordOneTimeCharge;

/// <summary>ONE_TIME_CHARGE: a consumable bought outside the verify route (or before it was called), granted once per transactionId.</summary>
public sealed record RecordAppleOneTimeChargeCommand(AppleNotificationEvent Notification) : IAppleNotificationCommand;
