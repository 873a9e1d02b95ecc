using Billing.Domain.Catalog;
using Billing.Domain.Common;
using Billing.Domain.Subscriptions;
using static Billing.Domain.Tests.TestData;

namespace Billing.Domain.Tests;

/// <summary>Apple-specific subscription rules: a refunded period's clawback and its reversal, and a resubscribe to another tier.</summary>
public class SubscriptionAppleRefundTests
{
    private static readonly GrantKey Payment = GrantKey.ForAppleTransaction("2000000500");

    [Fact]
    public void AppleRefundKeys_CarryTheNotification_SoARefundAfterAReversalHasItsOwnKey()
    {
        Assert.Equal("apple:refund:2000000500:n-1", GrantKey.ForAppleRefund("2000000500", "n-1").Value);
        Assert.Equal("apple:refund-reversed:2000000500:n-2", GrantKey.ForAppleRefundReversal("2000000500", "n-2").Value);
        Assert.NotEqual(GrantKey.ForAppleRefund("2000000500", "n-1"), GrantKey.ForAppleRefund("2000000500", "n-3"));
        Assert.Equal(GrantKey.ForAppleRefund("2000000500", "n-1"), GrantKey.Parse("apple:refund:2000000500:n-1"));
        Assert.Throws<InvalidDomainValueException>(() => GrantKey.ForAppleRefund("2000000500", " "));
        Assert.Throws<InvalidDomainValueException>(() => GrantKey.ForAppleRefundReversal("", "n-1"));
    }

    [Fact]
    public void RefundPeriod_ClawsBackWhatThePeriodGranted_Once()
    {
        var subscription = PaidAppleSubscription();
        var refundKey = GrantKey.ForAppleRefund("2000000500", "n-1");

        Assert.True(subscription.RefundPeriod(Payment, refundKey, At(20)));
        Assert.False(subscription.RefundPeriod(Payment, GrantKey.ForAppleRefund("2000000500", "n-2"), At(21)));

        var refunded = EventAssert.RaisedSingle<SubscriptionPeriodRefunded>(subscription);
        Assert.Equal(-300, refunded.Grant.Amount);
        Assert.Equal(TransactionType.Refund, refunded.Grant.TransactionType);
        Assert.Equal(refundKey, refunded.Grant.Key);
        Assert.Contains(refundKey.Value, refunded.Grant.Description, StringComparison.Ordinal);
        Assert.Equal(At(20), Assert.Single(subscription.PaidPeriods).RefundedAt);
        Assert.Equal(SubscriptionStatus.Active, subscription.Status);
    }

    [Fact]
    public void RefundPeriod_OfAPaymentThatPaidNoPeriod_OwesNothing()
    {
        var subscription = PaidAppleSubscription();

        Assert.False(subscription.RefundPeriod(GrantKey.ForAppleTransaction("unknown"), GrantKey.ForAppleRefund("unknown", "n-1"), At(20)));

        EventAssert.None(subscription);
    }

    [Fact]
    public void ReversePeriodRefund_RestoresTheCreditsOnce_AndAllowsANewRefund()
    {
        var subscription = PaidAppleSubscription();
        subscription.RefundPeriod(Payment, GrantKey.ForAppleRefund("2000000500", "n-1"), At(20));
        subscription.ClearDomainEvents();
        var reversalKey = GrantKey.ForAppleRefundReversal("2000000500", "n-2");

        Assert.True(subscription.ReversePeriodRefund(Payment, reversalKey, At(21)));
        Assert.False(subscription.ReversePeriodRefund(Payment, GrantKey.ForAppleRefundReversal("2000000500", "n-3"), At(22)));

        var restored = EventAssert.RaisedSingle<SubscriptionPeriodRefundReversed>(subscription);
        Assert.Equal(300, restored.Grant.Amount);
        Assert.Equal(TransactionType.SubscriptionGrant, restored.Grant.TransactionType);
        Assert.Equal(reversalKey, restored.Grant.Key);
        Assert.Null(Assert.Single(subscription.PaidPeriods).RefundedAt);
        Assert.True(subscription.RefundPeriod(Payment, GrantKey.ForAppleRefund("2000000500", "n-4"), At(23)));
    }

    [Fact]
    public void ReversePeriodRefund_WithoutARefund_OwesNothing()
    {
        var subscription = PaidAppleSubscription();

        Assert.False(subscription.ReversePeriodRefund(Payment, GrantKey.ForAppleRefundReversal("2000000500", "n-1"), At(20)));

        EventAssert.None(subscription);
    }

    [Fact]
    public void Resubscribe_AfterTheEnd_ToAnotherTier_GrantsTheNewTierAndRevives()
    {
        var subscription = PaidAppleSubscription();
        subscription.Expire(At(30));
        subscription.ClearDomainEvents();

        Assert.True(subscription.Resubscribe(ProductCatalog.StudioMonthly, Month(2), GrantKey.ForAppleTransaction("2000000777"), At(40), At(40)));

        Assert.Equal(SubscriptionStatus.Active, subscription.Status);
        Assert.Equal(TierName.Studio, subscription.Tier);
        Assert.Equal(Month(2).End, subscription.CurrentPeriodEnd);
        var events = EventAssert.Raised(subscription, typeof(SubscriptionTierChanged), typeof(SubscriptionReactivated), typeof(SubscriptionPeriodPaid));
        Assert.Equal(1000, ((SubscriptionPeriodPaid)events[2]).Grant.Amount);
    }

    [Fact]
    public void Resubscribe_WithALatePaymentForAPeriodBeforeTheEnd_OnlyGrantsAtTheCurrentTier()
    {
        var subscription = Subscription.Start(User, SubscriptionSource.Apple, ProductCatalog.CreatorMonthly, "2000000500", Month(1), T0, T0);
        subscription.RecordPaidPeriod(Month(1), Payment, At(1), At(1));
        subscription.Expire(At(30));
        subscription.ClearDomainEvents();

        Assert.True(subscription.Resubscribe(ProductCatalog.StudioMonthly, Month(0), GrantKey.ForAppleTransaction("2000000499"), At(40), At(40)));

        Assert.Equal(SubscriptionStatus.Expired, subscription.Status);
        Assert.Equal(TierName.Creator, subscription.Tier);
        Assert.Equal(300, Assert.Single(EventAssert.Grants(subscription)).Amount);
    }

    [Fact]
    public void Resubscribe_OfASubscriptionThatHasNotEnded_IsRefused()
    {
        var subscription = PaidAppleSubscription();

        Assert.Throws<DomainException>(() => subscription.Resubscribe(ProductCatalog.StudioMonthly, Month(1), GrantKey.ForAppleTransaction("2000000777"), At(40), At(40)));
    }

    private static Subscription PaidAppleSubscription()
    {
        var subscription = Subscription.Start(User, SubscriptionSource.Apple, ProductCatalog.CreatorMonthly, "2000000500", Month(0), T0, T0);
        subscription.RecordPaidPeriod(Month(0), Payment, At(1), At(1));
        subscription.ClearDomainEvents();
        return subscription;
    }
}
