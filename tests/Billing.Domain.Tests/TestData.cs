using Billing.Domain.Catalog;
using Billing.Domain.Common;
using Billing.Domain.Purchases;
using Billing.Domain.Subscriptions;

namespace Billing.Domain.Tests;

internal static class TestData
{
    public static readonly UserId User = UserId.From("5f0c6c1e-2b7a-4a57-9a0e-0d5c1f1b7e11");

    public static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static DateTimeOffset At(int minutes) => T0.AddMinutes(minutes);

    /// <summary>The n-th monthly period starting at <see cref="T0"/> (n = 0 is January 2025).</summary>
    public static BillingPeriod Month(int n) => BillingPeriod.Of(T0.AddMonths(n), T0.AddMonths(n + 1));

    public static GrantKey Invoice(int n) => GrantKey.ForStripeInvoice($"in_{n}");

    public static Purchase PendingStripe(CreditPack? pack = null, string sessionId = "cs_test_1")
    {
        var purchase = Purchase.StartStripeCheckout(User, pack ?? ProductCatalog.Explorer, sessionId, T0);
        purchase.ClearDomainEvents();
        return purchase;
    }

    public static Purchase PaidStripe(CreditPack? pack = null, string sessionId = "cs_test_1")
    {
        var purchase = PendingStripe(pack, sessionId);
        purchase.MarkPaid("pi_1", At(1));
        purchase.ClearDomainEvents();
        return purchase;
    }

    public static Purchase PaidApple(CreditPack? pack = null, string transactionId = "2000000123")
    {
        var purchase = Purchase.RecordApplePurchase(User, pack ?? ProductCatalog.Explorer, transactionId, "2000000100", null, At(1), At(2));
        purchase.ClearDomainEvents();
        return purchase;
    }

    /// <summary>An active Stripe subscription started at <see cref="T0"/> with month 0 as its period and no paid period yet.</summary>
    public static Subscription ActiveSubscription(SubscriptionTier? tier = null, SubscriptionSource source = SubscriptionSource.Stripe)
    {
        var subscription = Subscription.Start(User, source, tier ?? ProductCatalog.CreatorMonthly, "sub_1", Month(0), T0, T0);
        subscription.ClearDomainEvents();
        return subscription;
    }

    public static Subscription SubscriptionIn(SubscriptionStatus status)
    {
        var subscription = ActiveSubscription();
        switch (status)
        {
            case SubscriptionStatus.PastDue:
                subscription.MarkPastDue(At(10));
                break;
            case SubscriptionStatus.Canceled:
                subscription.Cancel(At(10));
                break;
            case SubscriptionStatus.Expired:
                subscription.Expire(At(10));
                break;
            case SubscriptionStatus.Active:
            default:
                break;
        }

        Assert.Equal(status, subscription.Status);
        subscription.ClearDomainEvents();
        return subscription;
    }
}
