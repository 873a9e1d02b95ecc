namespace Billing.Application.Apple.Notifications.RecordSubscriptionPeriod;

/// <summary>SUBSCRIBED, DID_RENEW, OFFER_REDEEMED, DID_CHANGE_RENEWAL_PREF/UPGRADE: a paid period, granted once per transactionId.</summary>
public sealed record RecordAppleSubscriptionPeriodCommand(AppleNotificationEvent Notification) : IAppleNotificationCommand;
