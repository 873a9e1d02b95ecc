using Billing.Domain.Catalog;
using Billing.Domain.Common;
using Billing.Domain.Subscriptions;
using static Billing.Domain.Tests.TestData;

namespace Billing.Domain.Tests;

public class SubscriptionLifecycleTests
{
    public enum StatusAction
    {
        MarkPastDue,
        Cancel,
        Resume,
        RecoverFromPastDue,
        Expire,
        ChangeTier,
    }

    [Theory]
    [InlineData(SubscriptionSource.Stripe)]
    [InlineData(SubscriptionSource.Apple)]
    public void Start_NewSubscription_ActiveWithActivatedEventAndNoGrant(SubscriptionSource source)
    {
        var subscription = Subscription.Start(User, source, ProductCatalog.StudioMonthly, "sub_1", Month(0), At(1), At(2));

        var activated = EventAssert.RaisedSingle<SubscriptionActivated>(subscription);
        Assert.Equal(subscription.Id, activated.SubscriptionId);
        Assert.Equal(User, activated.UserId);
        Assert.Equal(source, activated.Source);
        Assert.Equal(TierName.Studio, activated.Tier);
        Assert.Equal(At(1), activated.OccurredAt);
        Assert.Empty(EventAssert.Grants(subscription));
        Assert.Empty(subscription.PaidPeriods);
        Assert.Null(subscription.LastGrantAt);
        Assert.Equal(SubscriptionStatus.Active, subscription.Status);
        Assert.Equal(source, subscription.Source);
        Assert.Equal(TierName.Studio, subscription.Tier);
        Assert.Equal(Credits.Of(1000), subscription.CreditsPerPeriod);
        Assert.Equal("sub_1", subscription.ProviderSubscriptionId);
        Assert.Equal(Month(0).Start, subscription.CurrentPeriodStart);
        Assert.Equal(Month(0).End, subscription.CurrentPeriodEnd);
        Assert.False(subscription.CancelAtPeriodEnd);
        Assert.Equal(At(1), subscription.LastEventAt);
        Assert.Equal(At(2), subscription.CreatedAt);
    }

    [Fact]
    public void Start_WithoutPeriod_NoCurrentPeriod()
    {
        var subscription = Subscription.Start(User, SubscriptionSource.Apple, ProductCatalog.ExplorerMonthly, "2000000100", null, T0, T0);

        Assert.Null(subscription.CurrentPeriodStart);
        Assert.Null(subscription.CurrentPeriodEnd);
        Assert.Equal(Credits.Of(100), subscription.CreditsPerPeriod);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Start_MissingProviderId_Throws(string providerId)
    {
        var ex = Assert.Throws<InvalidDomainValueException>(() => Subscription.Start(User, SubscriptionSource.Stripe, ProductCatalog.CreatorMonthly, providerId, null, T0, T0));
        Assert.Equal("subscription.provider_id_missing", ex.Code);
    }

    // Legal transitions: from → action → to, with the one event each raises.
    [Theory]
    [InlineData(SubscriptionStatus.Active, StatusAction.MarkPastDue, SubscriptionStatus.PastDue, typeof(SubscriptionMarkedPastDue))]
    [InlineData(SubscriptionStatus.Active, StatusAction.Cancel, SubscriptionStatus.Canceled, typeof(SubscriptionCanceled))]
    [InlineData(SubscriptionStatus.Active, StatusAction.Expire, SubscriptionStatus.Expired, typeof(SubscriptionExpired))]
    [InlineData(SubscriptionStatus.Active, StatusAction.ChangeTier, SubscriptionStatus.Active, typeof(SubscriptionTierChanged))]
    [InlineData(SubscriptionStatus.PastDue, StatusAction.Cancel, SubscriptionStatus.Canceled, typeof(SubscriptionCanceled))]
    [InlineData(SubscriptionStatus.PastDue, StatusAction.RecoverFromPastDue, SubscriptionStatus.Active, typeof(SubscriptionReactivated))]
    [InlineData(SubscriptionStatus.PastDue, StatusAction.Expire, SubscriptionStatus.Expired, typeof(SubscriptionExpired))]
    [InlineData(SubscriptionStatus.PastDue, StatusAction.ChangeTier, SubscriptionStatus.PastDue, typeof(SubscriptionTierChanged))]
    [InlineData(SubscriptionStatus.Canceled, StatusAction.Resume, SubscriptionStatus.Active, typeof(SubscriptionResumed))]
    [InlineData(SubscriptionStatus.Canceled, StatusAction.Expire, SubscriptionStatus.Expired, typeof(SubscriptionExpired))]
    [InlineData(SubscriptionStatus.Canceled, StatusAction.ChangeTier, SubscriptionStatus.Canceled, typeof(SubscriptionTierChanged))]
    public void Transition_Legal_ChangesStatusAndRaisesOneEvent(SubscriptionStatus from, StatusAction action, SubscriptionStatus to, Type eventType)
    {
        var subscription = SubscriptionIn(from);

        Assert.True(Apply(subscription, action, At(20)));

        var events = EventAssert.Raised(subscription, eventType);
        Assert.Equal(At(20), events[0].OccurredAt);
        Assert.Equal(to, subscription.Status);
        Assert.Equal(At(20), subscription.LastEventAt);
        Assert.Empty(EventAssert.Grants(subscription));
    }

    // Repeats and transitions that mean nothing in the current state: false, no event, nothing changes.
    [Theory]
    [InlineData(SubscriptionStatus.Active, StatusAction.Resume)]
    [InlineData(SubscriptionStatus.Active, StatusAction.RecoverFromPastDue)]
    [InlineData(SubscriptionStatus.PastDue, StatusAction.MarkPastDue)]
    [InlineData(SubscriptionStatus.Canceled, StatusAction.Cancel)]
    [InlineData(SubscriptionStatus.Canceled, StatusAction.RecoverFromPastDue)]
    [InlineData(SubscriptionStatus.Canceled, StatusAction.MarkPastDue)]
    [InlineData(SubscriptionStatus.Expired, StatusAction.Expire)]
    public void Transition_RepeatOrMeaningless_NoOpWithoutEvent(SubscriptionStatus from, StatusAction action)
    {
        var subscription = SubscriptionIn(from);
        var cancelAtPeriodEnd = subscription.CancelAtPeriodEnd;

        Assert.False(Apply(subscription, action, At(20)));

        EventAssert.None(subscription);
        Assert.Equal(from, subscription.Status);
        Assert.Equal(cancelAtPeriodEnd, subscription.CancelAtPeriodEnd);
    }

    [Theory]
    [InlineData(SubscriptionStatus.Expired, StatusAction.MarkPastDue)]
    [InlineData(SubscriptionStatus.Expired, StatusAction.Cancel)]
    [InlineData(SubscriptionStatus.Expired, StatusAction.Resume)]
    [InlineData(SubscriptionStatus.Expired, StatusAction.RecoverFromPastDue)]
    [InlineData(SubscriptionStatus.Expired, StatusAction.ChangeTier)]
    [InlineData(SubscriptionStatus.PastDue, StatusAction.Resume)]
    public void Transition_Illegal_RefusedWithDomainException(SubscriptionStatus from, StatusAction action)
    {
        var subscription = SubscriptionIn(from);
        var lastEventAt = subscription.LastEventAt;

        var ex = Assert.Throws<DomainException>(() => Apply(subscription, action, At(20)));

        Assert.StartsWith("subscription.", ex.Code, StringComparison.Ordinal);
        EventAssert.None(subscription);
        Assert.Equal(from, subscription.Status);
        Assert.Equal(lastEventAt, subscription.LastEventAt);
        Assert.Equal(TierName.Creator, subscription.Tier);
    }

    [Fact]
    public void Cancel_Active_SetsCancelAtPeriodEndAndEntitledUntilPeriodEnd()
    {
        var subscription = ActiveSubscription();

        subscription.Cancel(At(20));

        var canceled = EventAssert.RaisedSingle<SubscriptionCanceled>(subscription);
        Assert.Equal(Month(0).End, canceled.EntitledUntil);
        Assert.True(subscription.CancelAtPeriodEnd);
    }

    [Fact]
    public void Resume_Canceled_ClearsCancelAtPeriodEnd()
    {
        var subscription = SubscriptionIn(SubscriptionStatus.Canceled);

        subscription.Resume(At(20));

        Assert.False(subscription.CancelAtPeriodEnd);
    }

    [Fact]
    public void Expire_Canceled_ClearsCancelAtPeriodEnd()
    {
        var subscription = SubscriptionIn(SubscriptionStatus.Canceled);

        subscription.Expire(At(20));

        Assert.False(subscription.CancelAtPeriodEnd);
    }

    [Fact]
    public void ChangeTier_SameTier_NoOp()
    {
        var subscription = ActiveSubscription(ProductCatalog.CreatorMonthly);

        Assert.False(subscription.ChangeTier(ProductCatalog.CreatorMonthly, At(20)));
        EventAssert.None(subscription);
    }

    [Fact]
    public void ChangeTier_Upgrade_RaisesFromAndTo()
    {
        var subscription = ActiveSubscription(ProductCatalog.CreatorMonthly);

        subscription.ChangeTier(ProductCatalog.StudioMonthly, At(20));

        var changed = EventAssert.RaisedSingle<SubscriptionTierChanged>(subscription);
        Assert.Equal(TierName.Creator, changed.From);
        Assert.Equal(TierName.Studio, changed.To);
        Assert.Equal(TierName.Studio, subscription.Tier);
        Assert.Equal(Credits.Of(1000), subscription.CreditsPerPeriod);
    }

    [Fact]
    public void FullLifecycle_ActivePastDueRecoveredCanceledResumedExpired_EndsExpired()
    {
        var subscription = ActiveSubscription();

        Assert.True(subscription.MarkPastDue(At(10)));
        Assert.True(subscription.RecoverFromPastDue(At(11)));
        Assert.True(subscription.Cancel(At(12)));
        Assert.True(subscription.Resume(At(13)));
        Assert.True(subscription.Expire(At(14)));

        EventAssert.Raised(
            subscription,
            typeof(SubscriptionMarkedPastDue),
            typeof(SubscriptionReactivated),
            typeof(SubscriptionCanceled),
            typeof(SubscriptionResumed),
            typeof(SubscriptionExpired));
        Assert.Equal(SubscriptionStatus.Expired, subscription.Status);
    }

    internal static bool Apply(Subscription subscription, StatusAction action, DateTimeOffset at) => action switch
    {
        StatusAction.MarkPastDue => subscription.MarkPastDue(at),
        StatusAction.Cancel => subscription.Cancel(at),
        StatusAction.Resume => subscription.Resume(at),
        StatusAction.RecoverFromPastDue => subscription.RecoverFromPastDue(at),
        StatusAction.Expire => subscription.Expire(at),
        StatusAction.ChangeTier => subscription.ChangeTier(subscription.Tier == TierName.Studio ? ProductCatalog.ExplorerMonthly : ProductCatalog.StudioMonthly, at),
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };
}
