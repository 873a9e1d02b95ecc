using Billing.Domain.Common;
using Billing.Domain.Grants;
using static Billing.Domain.Tests.TestData;

namespace Billing.Domain.Tests;

/// <summary>The delivery bookkeeping of a grant row: leases, the give-up budget and where a history search starts (decision 0007).</summary>
public sealed class CreditGrantDeliveryTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromDays(7);

    [Fact]
    public void Attempts_never_sent_do_not_start_or_use_the_budget()
    {
        var grant = NewGrant();
        for (var i = 0; i < 50; i++)
        {
            grant.StartAttempt(At(i * 60 * 24), At(i * 60 * 24) + TimeSpan.FromMinutes(1));
            grant.RecordNotSent("connection refused", At((i * 60 * 24) + 1));
        }

        Assert.Equal(CreditGrantStatus.Pending, grant.Status);
        Assert.Null(grant.FailingSince);
        Assert.False(grant.MayAlreadyBeApplied);
    }

    [Fact]
    public void Counted_failures_start_the_clock_once_and_dead_letter_only_when_it_runs_out()
    {
        var grant = NewGrant();
        grant.StartAttempt(At(0), At(1));
        grant.RecordFailedAttempt("403", At(0), At(1), Budget);
        Assert.Equal(At(0), grant.FailingSince);

        grant.StartAttempt(At(60), At(61));
        grant.RecordFailedAttempt("403", At(60), At(61), Budget);
        Assert.Equal(At(0), grant.FailingSince);
        Assert.Equal(CreditGrantStatus.Pending, grant.Status);
        Assert.False(grant.IsOutOfBudget(T0 + Budget - TimeSpan.FromMinutes(1), Budget));

        grant.StartAttempt(T0 + Budget, T0 + Budget + TimeSpan.FromMinutes(1));
        grant.RecordFailedAttempt("403", T0 + Budget, T0 + Budget + TimeSpan.FromMinutes(1), Budget);
        Assert.Equal(CreditGrantStatus.Dead, grant.Status);
        Assert.Contains("gave up", grant.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public void An_ambiguous_attempt_marks_where_a_history_search_must_start()
    {
        var grant = NewGrant();
        grant.StartAttempt(At(10), At(11));
        grant.RecordAmbiguous("timeout", At(10).AddSeconds(5), At(11));

        Assert.True(grant.MayAlreadyBeApplied);
        Assert.Equal(At(10), grant.MayBeAppliedSince);
        Assert.Equal(At(10).AddSeconds(5), grant.FailingSince);

        grant.ResolveAsNotApplied();
        Assert.False(grant.MayAlreadyBeApplied);
        Assert.Null(grant.MayBeAppliedSince);
    }

    [Fact]
    public void A_crashed_attempt_is_treated_as_possibly_applied_from_its_start()
    {
        var grant = NewGrant();
        grant.StartAttempt(At(10), At(11)); // the process dies here: the attempt stays in flight

        grant.DeferReconciliation("history unavailable", At(20), At(21), countsTowardBudget: false);

        Assert.True(grant.Unconfirmed);
        Assert.False(grant.AttemptInFlight);
        Assert.Equal(At(10), grant.MayBeAppliedSince);
        Assert.Null(grant.FailingSince);
        Assert.Equal(At(21), grant.NextAttemptAt);
    }

    [Fact]
    public void A_lease_only_moves_the_next_attempt_and_a_requeue_clears_the_budget()
    {
        var grant = NewGrant();
        grant.LeaseUntil(At(5));
        Assert.Equal(At(5), grant.NextAttemptAt);
        Assert.Equal(0, grant.Attempts);

        grant.StartAttempt(At(5), At(6));
        grant.RecordAmbiguous("reset", At(5), At(6));
        grant.MarkInDoubt("history refused", At(7));
        grant.Requeue(At(8));

        Assert.Equal(CreditGrantStatus.Pending, grant.Status);
        Assert.Null(grant.FailingSince);
        Assert.Null(grant.MayBeAppliedSince);
        Assert.False(grant.MayAlreadyBeApplied);
    }

    private static CreditGrant NewGrant() =>
        CreditGrant.FromRequest(new CreditGrantRequest(User, 100, TransactionType.StripePurchase, Invoice(1), $"Test grant [{Invoice(1).Value}]"), "Test", T0);
}
