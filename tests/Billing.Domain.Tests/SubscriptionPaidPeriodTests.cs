using Billing.Domain.Catalog;
using Billing.Domain.Common;
using Billing.Domain.Subscriptions;
using FsCheck;
using FsCheck.Fluent;
using static Billing.Domain.Tests.TestData;

namespace Billing.Domain.Tests;

public class SubscriptionPaidPeriodTests
{
    public static TheoryData<TierName, int> TierCredits => new()
    {
        { TierName.Explorer, 100 },
        { TierName.Creator, 300 },
        { TierName.Studio, 1000 },
    };

    [Theory]
    [MemberData(nameof(TierCredits))]
    public void RecordPaidPeriod_FirstPeriod_GrantsTierCreditsAsSubscriptionGrant(TierName tierName, int credits)
    {
        var subscription = ActiveSubscription(ProductCatalog.GetTier(tierName));

        Assert.True(subscription.RecordPaidPeriod(Month(0), Invoice(0), At(5), At(6)));

        var paid = EventAssert.RaisedSingle<SubscriptionPeriodPaid>(subscription);
        Assert.Equal(Month(0), paid.Period);
        Assert.Equal(At(5), paid.OccurredAt);
        Assert.Equal(User, paid.Grant.UserId);
        Assert.Equal(credits, paid.Grant.Amount);
        Assert.Equal(TransactionType.SubscriptionGrant, paid.Grant.TransactionType);
        Assert.Equal(Invoice(0), paid.Grant.Key);
        Assert.Contains(ProductCatalog.GetTier(tierName).Name, paid.Grant.Description, StringComparison.Ordinal);
        var period = Assert.Single(subscription.PaidPeriods);
        Assert.Equal(Month(0).Start, period.PeriodStart);
        Assert.Equal(Month(0).End, period.PeriodEnd);
        Assert.Equal(Invoice(0).Value, period.GrantKey);
        Assert.Equal(credits, period.CreditsGranted);
        Assert.Equal(At(6), period.GrantedAt);
        Assert.Equal(At(6), subscription.LastGrantAt);
        Assert.True(subscription.HasPaidPeriod(Month(0).Start));
        Assert.Equal(SubscriptionStatus.Active, subscription.Status);
    }

    [Fact]
    public void RecordPaidPeriod_SamePeriodSameKey_GrantsNothing()
    {
        var subscription = ActiveSubscription();
        subscription.RecordPaidPeriod(Month(0), Invoice(0), At(5), At(5));
        subscription.ClearDomainEvents();

        Assert.False(subscription.RecordPaidPeriod(Month(0), Invoice(0), At(6), At(6)));

        EventAssert.None(subscription);
        Assert.Single(subscription.PaidPeriods);
    }

    [Fact]
    public void RecordPaidPeriod_SamePeriodDifferentKey_GrantsNothing()
    {
        var subscription = ActiveSubscription(source: SubscriptionSource.Apple);
        subscription.RecordPaidPeriod(Month(0), GrantKey.ForAppleTransaction("2000000001"), At(5), At(5));
        subscription.ClearDomainEvents();

        Assert.False(subscription.RecordPaidPeriod(Month(0), GrantKey.ForAppleTransaction("2000000002"), At(6), At(6)));

        EventAssert.None(subscription);
        Assert.Single(subscription.PaidPeriods);
    }

    [Fact]
    public void RecordPaidPeriod_SamePeriodStartInOtherOffset_GrantsNothing()
    {
        var subscription = ActiveSubscription();
        subscription.RecordPaidPeriod(Month(0), Invoice(0), At(5), At(5));
        subscription.ClearDomainEvents();
        var shifted = BillingPeriod.Of(Month(0).Start.ToOffset(TimeSpan.FromHours(-5)), Month(0).End.ToOffset(TimeSpan.FromHours(-5)));

        Assert.False(subscription.RecordPaidPeriod(shifted, Invoice(99), At(6), At(6)));
        Assert.True(subscription.HasPaidPeriod(Month(0).Start.ToOffset(TimeSpan.FromHours(9))));
        EventAssert.None(subscription);
    }

    [Fact]
    public void RecordPaidPeriod_SameKeyForAnotherPeriod_GrantsNothing()
    {
        var subscription = ActiveSubscription();
        subscription.RecordPaidPeriod(Month(0), Invoice(0), At(5), At(5));
        subscription.ClearDomainEvents();

        Assert.False(subscription.RecordPaidPeriod(Month(1), Invoice(0), T0.AddMonths(1), T0.AddMonths(1)));

        EventAssert.None(subscription);
        Assert.Single(subscription.PaidPeriods);
        Assert.Equal(Month(0).End, subscription.CurrentPeriodEnd);
    }

    [Fact]
    public void RecordPaidPeriod_TwelveMonthlyRenewals_GrantsTwelveTimesExactly()
    {
        var subscription = ActiveSubscription(ProductCatalog.ExplorerMonthly);

        for (var month = 0; month < 12; month++)
        {
            Assert.True(subscription.RecordPaidPeriod(Month(month), Invoice(month), Month(month).Start, Month(month).Start));

            // Webhook redelivery of the same invoice.
            Assert.False(subscription.RecordPaidPeriod(Month(month), Invoice(month), Month(month).Start.AddMinutes(1), Month(month).Start));
        }

        var grants = EventAssert.Grants(subscription);
        Assert.Equal(12, grants.Count);
        Assert.Equal(1200, grants.Sum(g => g.Amount));
        Assert.Equal(12, grants.Select(g => g.Key).Distinct().Count());
        Assert.Equal(12, subscription.PaidPeriods.Count);
        Assert.Equal(Month(11).Start, subscription.CurrentPeriodStart);
        Assert.Equal(Month(11).End, subscription.CurrentPeriodEnd);
        Assert.Equal(SubscriptionStatus.Active, subscription.Status);
    }

    [Fact]
    public void RecordPaidPeriod_NewerPeriod_AdvancesCurrentPeriod()
    {
        var subscription = ActiveSubscription();

        subscription.RecordPaidPeriod(Month(1), Invoice(1), At(5), At(5));

        Assert.Equal(Month(1).Start, subscription.CurrentPeriodStart);
        Assert.Equal(Month(1).End, subscription.CurrentPeriodEnd);
        Assert.Equal(At(5), subscription.LastEventAt);
    }

    [Fact]
    public void RecordPaidPeriod_LateOlderPeriod_GrantsButKeepsCurrentPeriod()
    {
        var subscription = ActiveSubscription();
        subscription.RecordPaidPeriod(Month(2), Invoice(2), At(50), At(50));
        subscription.ClearDomainEvents();

        Assert.True(subscription.RecordPaidPeriod(Month(1), Invoice(1), At(40), At(60)));

        Assert.Equal(300, EventAssert.RaisedSingle<SubscriptionPeriodPaid>(subscription).Grant.Amount);
        Assert.Equal(Month(2).Start, subscription.CurrentPeriodStart);
        Assert.Equal(Month(2).End, subscription.CurrentPeriodEnd);
        Assert.Equal(At(50), subscription.LastEventAt);
        Assert.True(subscription.HasPaidPeriod(Month(1).Start));
    }

    [Fact]
    public void RecordPaidPeriod_StartedWithoutPeriod_FirstPaymentSetsCurrentPeriod()
    {
        var subscription = Subscription.Start(User, SubscriptionSource.Apple, ProductCatalog.CreatorMonthly, "2000000100", null, T0, T0);
        subscription.ClearDomainEvents();

        Assert.True(subscription.RecordPaidPeriod(Month(3), GrantKey.ForAppleTransaction("2000000101"), At(5), At(5)));

        Assert.Equal(Month(3).Start, subscription.CurrentPeriodStart);
        Assert.Equal(Month(3).End, subscription.CurrentPeriodEnd);
    }

    [Fact]
    public void RecordPaidPeriod_PastDueNewestPeriodPaid_ActiveAgain()
    {
        var subscription = ActiveSubscription();
        subscription.RecordPaidPeriod(Month(0), Invoice(0), At(1), At(1));
        subscription.MarkPastDue(T0.AddMonths(1).AddHours(1));
        subscription.ClearDomainEvents();

        Assert.True(subscription.RecordPaidPeriod(Month(1), Invoice(1), T0.AddMonths(1).AddDays(3), T0.AddMonths(1).AddDays(3)));

        var events = EventAssert.Raised(subscription, typeof(SubscriptionReactivated), typeof(SubscriptionPeriodPaid));
        Assert.Equal(300, Assert.IsType<SubscriptionPeriodPaid>(events[1]).Grant.Amount);
        Assert.Equal(SubscriptionStatus.Active, subscription.Status);
        Assert.Equal(Month(1).End, subscription.CurrentPeriodEnd);
    }

    [Fact]
    public void RecordPaidPeriod_PastDueOlderPeriodPaid_GrantsButStaysPastDue()
    {
        var subscription = ActiveSubscription();
        subscription.RecordPaidPeriod(Month(1), Invoice(1), At(10), At(10));
        subscription.MarkPastDue(At(20));
        subscription.ClearDomainEvents();

        Assert.True(subscription.RecordPaidPeriod(Month(0), Invoice(0), At(30), At(30)));

        EventAssert.Raised(subscription, typeof(SubscriptionPeriodPaid));
        Assert.Equal(SubscriptionStatus.PastDue, subscription.Status);
    }

    [Fact]
    public void RecordPaidPeriod_CanceledNewestPeriodPaid_GrantsAndStaysCanceled()
    {
        // The invoice of the period in which the user turned renewal off is still paid: that must not undo the cancel.
        var subscription = ActiveSubscription();
        subscription.Cancel(At(10));
        subscription.ClearDomainEvents();

        Assert.True(subscription.RecordPaidPeriod(Month(0), Invoice(0), At(60), At(60)));

        EventAssert.Raised(subscription, typeof(SubscriptionPeriodPaid));
        Assert.Equal(SubscriptionStatus.Canceled, subscription.Status);
        Assert.True(subscription.CancelAtPeriodEnd);
    }

    [Fact]
    public void RecordPaidPeriod_ExpiredResubscribeAfterOldEnd_RevivesAndGrants()
    {
        var subscription = ActiveSubscription(source: SubscriptionSource.Apple);
        subscription.RecordPaidPeriod(Month(0), GrantKey.ForAppleTransaction("t0"), At(1), At(1));
        subscription.Expire(Month(0).End);
        subscription.ClearDomainEvents();
        var resubscribed = BillingPeriod.Of(Month(2).Start.AddDays(3), Month(3).Start.AddDays(3));

        Assert.True(subscription.RecordPaidPeriod(resubscribed, GrantKey.ForAppleTransaction("t1"), resubscribed.Start, resubscribed.Start));

        var events = EventAssert.Raised(subscription, typeof(SubscriptionReactivated), typeof(SubscriptionPeriodPaid));
        Assert.Equal(300, Assert.IsType<SubscriptionPeriodPaid>(events[1]).Grant.Amount);
        Assert.Equal(SubscriptionStatus.Active, subscription.Status);
        Assert.Equal(resubscribed.Start, subscription.CurrentPeriodStart);
        Assert.Equal(resubscribed.End, subscription.CurrentPeriodEnd);
    }

    [Fact]
    public void RecordPaidPeriod_ExpiredPeriodStartingExactlyAtOldEnd_Revives()
    {
        var subscription = ActiveSubscription(source: SubscriptionSource.Apple);
        subscription.Expire(Month(0).End);
        subscription.ClearDomainEvents();

        Assert.True(subscription.RecordPaidPeriod(Month(1), GrantKey.ForAppleTransaction("t1"), Month(1).Start.AddMinutes(1), Month(1).Start));

        Assert.Equal(SubscriptionStatus.Active, subscription.Status);
        Assert.Equal(Month(1).End, subscription.CurrentPeriodEnd);
    }

    [Fact]
    public void RecordPaidPeriod_ExpiredLatePaymentForOldPeriod_GrantsButStaysExpired()
    {
        var subscription = ActiveSubscription();
        subscription.Expire(Month(0).End);
        subscription.ClearDomainEvents();

        Assert.True(subscription.RecordPaidPeriod(Month(0), Invoice(0), Month(0).End.AddDays(1), Month(0).End.AddDays(1)));

        Assert.Equal(300, EventAssert.RaisedSingle<SubscriptionPeriodPaid>(subscription).Grant.Amount);
        Assert.Equal(SubscriptionStatus.Expired, subscription.Status);
        Assert.Equal(Month(0).End, subscription.CurrentPeriodEnd);
    }

    [Fact]
    public void RecordPaidPeriod_ExpiredPeriodOverlappingOldEnd_GrantsButStaysExpired()
    {
        var subscription = ActiveSubscription();
        subscription.Expire(Month(0).End);
        subscription.ClearDomainEvents();
        var overlapping = BillingPeriod.Of(Month(0).End.AddDays(-1), Month(1).End);

        Assert.True(subscription.RecordPaidPeriod(overlapping, Invoice(7), Month(1).Start, Month(1).Start));

        EventAssert.Raised(subscription, typeof(SubscriptionPeriodPaid));
        Assert.Equal(SubscriptionStatus.Expired, subscription.Status);
    }

    [Fact]
    public void ChangeTier_BeforeNextPeriod_NextPeriodGrantsNewTierCredits()
    {
        var subscription = ActiveSubscription(ProductCatalog.ExplorerMonthly);
        subscription.RecordPaidPeriod(Month(0), Invoice(0), At(1), At(1));
        subscription.ChangeTier(ProductCatalog.StudioMonthly, At(100));
        subscription.RecordPaidPeriod(Month(1), Invoice(1), Month(1).Start, Month(1).Start);
        subscription.ChangeTier(ProductCatalog.CreatorMonthly, Month(1).Start.AddDays(2));
        subscription.RecordPaidPeriod(Month(2), Invoice(2), Month(2).Start, Month(2).Start);

        var amounts = EventAssert.Grants(subscription).Select(g => g.Amount).ToArray();
        Assert.Equal([100, 1000, 300], amounts);
        Assert.Equal([100, 1000, 300], subscription.PaidPeriods.Select(p => p.CreditsGranted).ToArray());
        Assert.Equal(Credits.Of(300), subscription.CreditsPerPeriod);
    }

    [Fact]
    public void PaidPeriodsInAnyOrder_NDistinctPeriods_GrantNTimesAndEndOnNewest()
    {
        var gen = from tier in Gen.Elements(ProductCatalog.Tiers.ToArray())
                  from count in Gen.Choose(1, 24)
                  from order in Gen.Shuffle(Enumerable.Range(0, count))
                  from redeliveries in Gen.SubListOf(order)
                  select (tier, order, redeliveries);

        var property = Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (tier, order, redeliveries) = t;
            var subscription = ActiveSubscription(tier);
            var received = 0;
            foreach (var month in order.Concat(redeliveries))
            {
                subscription.RecordPaidPeriod(Month(month), Invoice(month), Month(month).Start.AddMinutes(received), Month(month).Start);
                received++;
            }

            var grants = EventAssert.Grants(subscription);
            Assert.Equal(order.Length, grants.Count);
            Assert.Equal(order.Length * tier.CreditsPerPeriod.Value, grants.Sum(g => g.Amount));
            Assert.All(grants, g => Assert.Equal(TransactionType.SubscriptionGrant, g.TransactionType));
            Assert.Equal(order.Length, grants.Select(g => g.Key).Distinct().Count());
            Assert.Equal(Month(order.Length - 1).Start, subscription.CurrentPeriodStart);
            Assert.Equal(Month(order.Length - 1).End, subscription.CurrentPeriodEnd);
            Assert.Equal(SubscriptionStatus.Active, subscription.Status);
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200), property);
    }
}
