using Billing.Domain.Audit;
using Billing.Domain.Common;
using Billing.Domain.Operators;

namespace Billing.Domain.Tests.Operators;

public sealed class OperatorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void FiveFailuresInARow_LockTheAccountForFifteenMinutes()
    {
        var account = Operator.Create("Ops@Example.com ", OperatorRole.Operator, "hash", T0);
        for (var i = 1; i < Operator.MaxFailedSignIns; i++)
        {
            Assert.False(account.RecordFailedSignIn(T0.AddSeconds(i)));
            Assert.False(account.IsLockedOut(T0.AddSeconds(i)));
        }

        Assert.True(account.RecordFailedSignIn(T0.AddSeconds(5)));
        Assert.True(account.IsLockedOut(T0.AddSeconds(5)));
        Assert.True(account.IsLockedOut(T0.AddSeconds(5) + TimeSpan.FromMinutes(15) - TimeSpan.FromSeconds(1)));
        Assert.False(account.IsLockedOut(T0.AddSeconds(5) + TimeSpan.FromMinutes(15)));
        Assert.Throws<DomainException>(() => account.RecordSignIn(T0.AddMinutes(1)));
    }

    [Fact]
    public void FailuresDuringALockout_DoNotExtendIt_AndASignInResetsTheCount()
    {
        var account = Operator.Create("ops@example.com", OperatorRole.Viewer, "hash", T0);
        for (var i = 0; i < Operator.MaxFailedSignIns; i++)
        {
            account.RecordFailedSignIn(T0);
        }

        var until = account.LockedUntil;
        Assert.False(account.RecordFailedSignIn(T0.AddMinutes(10)));
        Assert.Equal(until, account.LockedUntil);

        var later = T0.AddMinutes(16);
        account.RecordFailedSignIn(later);
        Assert.Equal(1, account.FailedSignIns);
        account.RecordSignIn(later);
        Assert.Equal(0, account.FailedSignIns);
        Assert.Equal(later, account.LastSignInAt);
    }

    [Fact]
    public void Emails_AreNormalised_AndMalformedOnesRefused()
    {
        Assert.Equal("ops@example.com", Operator.Create(" OPS@example.COM", OperatorRole.Admin, "h", T0).Email);
        Assert.Throws<InvalidDomainValueException>(() => Operator.NormalizeEmail("not an email"));
        Assert.Throws<InvalidDomainValueException>(() => Operator.NormalizeEmail("Ops <ops@example.com>"));
        Assert.Throws<InvalidDomainValueException>(() => Operator.NormalizeEmail(""));
    }

    [Fact]
    public void Roles_AreOrdered_AndADisabledOperatorMayNothing()
    {
        var admin = Operator.Create("a@example.com", OperatorRole.Admin, "h", T0);
        var viewer = Operator.Create("v@example.com", OperatorRole.Viewer, "h", T0);
        Assert.True(admin.May(OperatorRole.Operator));
        Assert.True(viewer.May(OperatorRole.Viewer));
        Assert.False(viewer.May(OperatorRole.Operator));
        admin.Disable();
        Assert.False(admin.May(OperatorRole.Viewer));
        Assert.Throws<DomainException>(admin.Disable);
        Assert.Equal(OperatorRole.Operator, OperatorRoles.FromWire("Operator"));
        Assert.Throws<InvalidDomainValueException>(() => OperatorRoles.FromWire("root"));
    }

    [Fact]
    public void AnAuditLine_NeedsAReasonAndAnActor()
    {
        Assert.Throws<InvalidDomainValueException>(() => AuditEntry.Record("cli:root", "grant.requeue", "grant", "k", "  ", null, null, T0));
        Assert.Throws<InvalidDomainValueException>(() => AuditEntry.Record("", "grant.requeue", "grant", "k", "why", null, null, T0));
        Assert.Equal("why", AuditEntry.Record("cli:root", "grant.requeue", "grant", "k", " why ", null, null, T0).Reason);
    }
}
