using Billing.Domain.Catalog;
using Billing.Domain.Common;
using Billing.Domain.Subscriptions;
using FsCheck;
using FsCheck.Fluent;
using static Billing.Domain.Tests.SubscriptionLifecycleTests;
using static Billing.Domain.Tests.TestData;

namespace Billing.Domain.Tests;

/// <summary>Provider events arrive late and out of order; an event older than <see cref="Subscription.LastEventAt"/> never changes status.</summary>
public class SubscriptionOutOfOrderTests
{
    // Each row: a state in which the action would otherwise apply; the action arrives stamped before the last applied event.
    [Theory]
    [InlineData(SubscriptionStatus.Active, StatusAction.MarkPastDue)]
    [InlineData(SubscriptionStatus.Active, StatusAction.Cancel)]
    [InlineData(SubscriptionStatus.Active, StatusAction.Expire)]
    [InlineData(SubscriptionStatus.Active, StatusAction.ChangeTier)]
    [InlineData(SubscriptionStatus.PastDue, StatusAction.RecoverFromPastDue)]
    [InlineData(SubscriptionStatus.PastDue, StatusAction.Cancel)]
    [InlineData(SubscriptionStatus.Canceled, StatusAction.Resume)]
    [InlineData(SubscriptionStatus.Canceled, StatusAction.Expire)]
    public void StatusEvent_OlderThanLastEvent_ChangesNothing(SubscriptionStatus from, StatusAction action)
    {
        var subscription = SubscriptionIn(from); // last event at minute 10 (minute 0 for Active)
        var lastEventAt = subscription.LastEventAt;
        var tier = subscription.Tier;
        var stale = lastEventAt.AddTicks(-1);

        Assert.False(Apply(subscription, action, stale));

        EventAssert.None(subscription);
        Assert.Equal(from, subscription.Status);
        Assert.Equal(tier, subscription.Tier);
        Assert.Equal(lastEventAt, subscription.LastEventAt);
    }

    [Theory]
    [InlineData(StatusAction.MarkPastDue)]
    [InlineData(StatusAction.Cancel)]
    [InlineData(StatusAction.Resume)]
    [InlineData(StatusAction.RecoverFromPastDue)]
    [InlineData(StatusAction.ChangeTier)]
    public void StatusEvent_OlderThanExpiry_IgnoredInsteadOfRefused(StatusAction action)
    {
        var subscription = SubscriptionIn(SubscriptionStatus.Expired);

        Assert.False(Apply(subscription, action, At(5)));

        EventAssert.None(subscription);
        Assert.Equal(SubscriptionStatus.Expired, subscription.Status);
    }

    [Fact]
    public void StatusEvent_SameTimestampAsLastEvent_Applies()
    {
        var subscription = SubscriptionIn(SubscriptionStatus.PastDue);

        Assert.True(subscription.Cancel(subscription.LastEventAt));
        Assert.Equal(SubscriptionStatus.Canceled, subscription.Status);
    }

    [Fact]
    public void ExpiryThenOlderCancel_ExpiredStays()
    {
        var subscription = ActiveSubscription();
        subscription.Expire(At(30));
        subscription.ClearDomainEvents();

        Assert.False(subscription.Cancel(At(20)));
        Assert.False(subscription.MarkPastDue(At(25)));

        EventAssert.None(subscription);
        Assert.Equal(SubscriptionStatus.Expired, subscription.Status);
    }

    [Fact]
    public void PaymentFailedDeliveredAfterLaterRetrySucceeded_StaysActive()
    {
        var subscription = ActiveSubscription();
        subscription.RecordPaidPeriod(Month(1), Invoice(1), At(30), At(31));
        subscription.ClearDomainEvents();

        Assert.False(subscription.MarkPastDue(At(20)));

        EventAssert.None(subscription);
        Assert.Equal(SubscriptionStatus.Active, subscription.Status);
    }

    [Fact]
    public void PaidNewestPeriodStampedBeforePastDue_GrantsButStaysPastDue()
    {
        // invoice.paid (minute 5) is delivered after invoice.payment_failed (minute 20): the payment is owed, the status is newer.
        var subscription = ActiveSubscription();
        subscription.MarkPastDue(At(20));
        subscription.ClearDomainEvents();

        Assert.True(subscription.RecordPaidPeriod(Month(0), Invoice(0), At(5), At(25)));

        EventAssert.Raised(subscription, typeof(SubscriptionPeriodPaid));
        Assert.Equal(SubscriptionStatus.PastDue, subscription.Status);
        Assert.Equal(At(20), subscription.LastEventAt);
    }

    [Fact]
    public void ResumeDeliveredBeforeOlderCancel_StaysActive()
    {
        // The user canceled at 20 and resumed at 30; the resume arrives first and finds the subscription already active.
        var subscription = ActiveSubscription();

        Assert.False(subscription.Resume(At(30)));
        Assert.False(subscription.Cancel(At(20)));

        EventAssert.None(subscription);
        Assert.Equal(SubscriptionStatus.Active, subscription.Status);
        Assert.False(subscription.CancelAtPeriodEnd);
    }

    [Fact]
    public void RecoveryDeliveredBeforeOlderPaymentFailure_StaysActive()
    {
        var subscription = ActiveSubscription();

        Assert.False(subscription.RecoverFromPastDue(At(30)));
        Assert.False(subscription.MarkPastDue(At(20)));

        Assert.Equal(SubscriptionStatus.Active, subscription.Status);
    }

    [Fact]
    public void RepeatedPaymentFailureBeforeOlderRecovery_StaysPastDue()
    {
        // failed at 10, recovered at 20, failed again at 30; the recovery arrives last.
        var subscription = ActiveSubscription();
        subscription.MarkPastDue(At(10));

        Assert.False(subscription.MarkPastDue(At(30)));
        Assert.False(subscription.RecoverFromPastDue(At(20)));

        Assert.Equal(SubscriptionStatus.PastDue, subscription.Status);
    }

    [Fact]
    public void RepeatedCancelBeforeOlderResume_StaysCanceled()
    {
        // canceled at 10, resumed at 20, canceled again at 30; the resume arrives last.
        var subscription = ActiveSubscription();
        subscription.Cancel(At(10));

        Assert.False(subscription.Cancel(At(30)));
        Assert.False(subscription.Resume(At(20)));

        Assert.Equal(SubscriptionStatus.Canceled, subscription.Status);
        Assert.True(subscription.CancelAtPeriodEnd);
    }

    [Fact]
    public void TierChangeBackDeliveredBeforeOlderChange_KeepsNewestTier()
    {
        // Creator → Studio at 20, back to Creator at 30; the second arrives first and finds Creator already.
        var subscription = ActiveSubscription(ProductCatalog.CreatorMonthly);

        Assert.False(subscription.ChangeTier(ProductCatalog.CreatorMonthly, At(30)));
        Assert.False(subscription.ChangeTier(ProductCatalog.StudioMonthly, At(20)));

        Assert.Equal(TierName.Creator, subscription.Tier);
    }

    [Fact]
    public void CanceledThenPaymentFailedThenPaid_NotStuckAndCancelKept()
    {
        // Stripe: the user cancels while a retry of the current invoice is pending; the retry fails, then succeeds.
        var subscription = ActiveSubscription();
        subscription.Cancel(At(10));
        subscription.MarkPastDue(At(20));
        subscription.RecordPaidPeriod(Month(0), Invoice(0), At(30), At(30));

        Assert.Equal(SubscriptionStatus.Canceled, subscription.Status);
        Assert.True(subscription.CancelAtPeriodEnd);

        // Status and the cancel flag agree, so a resume still works.
        Assert.True(subscription.Resume(At(40)));
        Assert.Equal(SubscriptionStatus.Active, subscription.Status);
        Assert.False(subscription.CancelAtPeriodEnd);
    }

    /// <summary>
    /// Events about one concern (payment health: failed / recovered; renewal intent: cancel / resume), optionally
    /// ended by an expiry: in whatever order they arrive, the result is that of the newest one.
    /// It does NOT hold across concerns (e.g. cancel@1 then payment-failed@2 vs the reverse; resume is refused from past_due),
    /// nor for an expiry older than another event (expired is final whatever arrives after it).
    /// </summary>
    [Theory]
    [InlineData(StatusAction.MarkPastDue, StatusAction.RecoverFromPastDue)]
    [InlineData(StatusAction.Cancel, StatusAction.Resume)]
    public void SameConcernEventsInAnyOrder_EndAsTheNewestSays(StatusAction first, StatusAction second)
    {
        var gen = from count in Gen.Choose(1, 8)
                  from actions in Gen.ArrayOf(Gen.Elements(first, second), count)
                  from expireLast in Gen.Elements(false, true)
                  let timeline = actions.Concat(expireLast ? [StatusAction.Expire] : []).Select((a, i) => (Action: a, At: At(10 * (i + 1)))).ToArray()
                  from arrival in Gen.Shuffle(timeline)
                  select (timeline, arrival);

        var property = Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (timeline, arrival) = t;
            var inOrder = ActiveSubscription();
            foreach (var (action, at) in timeline)
            {
                Apply(inOrder, action, at);
            }

            var shuffled = ActiveSubscription();
            foreach (var (action, at) in arrival)
            {
                Apply(shuffled, action, at);
            }

            var expected = timeline[^1].Action switch
            {
                StatusAction.MarkPastDue => SubscriptionStatus.PastDue,
                StatusAction.Cancel => SubscriptionStatus.Canceled,
                StatusAction.Expire => SubscriptionStatus.Expired,
                _ => SubscriptionStatus.Active,
            };
            Assert.Equal(expected, inOrder.Status);
            Assert.Equal(expected, shuffled.Status);
            Assert.Equal(inOrder.CancelAtPeriodEnd, shuffled.CancelAtPeriodEnd);
            Assert.Equal(timeline[^1].At, shuffled.LastEventAt);
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), property);
    }

    [Fact]
    public void CancelAndPaymentFailureInEitherOrder_StatusDependsOnArrival_DocumentedLimitation()
    {
        // cancel@10, payment failed@20. In order: the failure on a canceled subscription is ignored → Canceled.
        var inOrder = ActiveSubscription();
        inOrder.Cancel(At(10));
        inOrder.MarkPastDue(At(20));

        // Reversed: past_due first, the cancel is then stale → PastDue, and the user's cancel is lost.
        var reversed = ActiveSubscription();
        reversed.MarkPastDue(At(20));
        reversed.Cancel(At(10));

        Assert.Equal(SubscriptionStatus.Canceled, inOrder.Status);
        Assert.Equal(SubscriptionStatus.PastDue, reversed.Status);
        Assert.False(reversed.CancelAtPeriodEnd);
    }

    [Fact]
    public void CancelDeliveredAfterNewerPaidPeriod_CancelLost_DocumentedLimitation()
    {
        // One LastEventAt for everything: a newer invoice.paid makes an older cancel stale, so renewal intent is lost.
        var subscription = ActiveSubscription();
        subscription.RecordPaidPeriod(Month(0), Invoice(0), At(60), At(60));

        Assert.False(subscription.Cancel(At(50)));
        Assert.Equal(SubscriptionStatus.Active, subscription.Status);
        Assert.False(subscription.CancelAtPeriodEnd);
    }

    [Fact]
    public void AnyHistoryThenStaleEvent_NothingChangesAndNothingThrows()
    {
        var actions = Enum.GetValues<StatusAction>();
        var gen = from history in Gen.ArrayOf(Gen.Elements(actions), 6)
                  from paidMonths in Gen.SubListOf(Enumerable.Range(0, 6))
                  from late in Gen.Elements(actions)
                  from lateBy in Gen.Choose(1, 10_000)
                  select (history, paidMonths, late, lateBy);

        var property = Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (history, paidMonths, late, lateBy) = t;
            var subscription = ActiveSubscription();
            for (var i = 0; i < history.Length; i++)
            {
                if (paidMonths.Contains(i))
                {
                    subscription.RecordPaidPeriod(Month(i), Invoice(i), At(100 * i), At(100 * i));
                }

                try
                {
                    Apply(subscription, history[i], At((100 * i) + 50));
                }
                catch (DomainException)
                {
                    // Refused transitions are part of a realistic history.
                }
            }

            subscription.ClearDomainEvents();
            var (status, tier, cancel, lastEventAt) = (subscription.Status, subscription.Tier, subscription.CancelAtPeriodEnd, subscription.LastEventAt);

            Assert.False(Apply(subscription, late, lastEventAt.AddSeconds(-lateBy)));

            EventAssert.None(subscription);
            Assert.Equal(status, subscription.Status);
            Assert.Equal(tier, subscription.Tier);
            Assert.Equal(cancel, subscription.CancelAtPeriodEnd);
            Assert.Equal(lastEventAt, subscription.LastEventAt);

            // A stale payment for a brand-new period is still owed, but does not touch the status either.
            Assert.True(subscription.RecordPaidPeriod(Month(20), Invoice(20), lastEventAt.AddSeconds(-lateBy), lastEventAt));
            EventAssert.Raised(subscription, typeof(SubscriptionPeriodPaid));
            Assert.Equal(status, subscription.Status);
            Assert.Equal(lastEventAt, subscription.LastEventAt);
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), property);
    }
}
