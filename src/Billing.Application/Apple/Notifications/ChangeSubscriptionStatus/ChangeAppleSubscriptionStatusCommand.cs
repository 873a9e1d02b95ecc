namespace Billing.Application.Apple.Notifications.ChangeSubscriptionStatus;

/// <summary>
/// A status change on a subscription billing knows: DID_FAIL_TO_RENEW (past due), EXPIRED / GRACE_PERIOD_EXPIRED,
/// DID_CHANGE_RENEWAL_STATUS (auto-renew off: canceled, on: resumed), DID_CHANGE_RENEWAL_PREF (DOWNGRADE, or no subtype:
/// the tier that renews next). Apple never names the user, so an unknown subscription cannot be created from one.
/// </summary>
public sealed record ChangeAppleSubscriptionStatusCommand(AppleNotificationEvent Notification, AppleSubscriptionChange Change) : IAppleNotificationCommand;

public enum AppleSubscriptionChange
{
    PastDue,
    Expire,
    Cancel,
    Resume,

    /// <summary>The renewal info's autoRenewProductId renews next: it sizes the next paid period's grant (the current one is granted).</summary>
    RenewalTier,
}
