using Billing.Domain.ApiKeys;
using Billing.Domain.Common;
using static Billing.Domain.Tests.TestData;

namespace Billing.Domain.Tests.ApiKeys;

public class ApiKeyTests
{
    [Fact]
    public void Create_StoresOnlyTheHash_AndReturnsThePlaintextOnce()
    {
        var (key, secret) = ApiKey.Create(User, " ci ", ApiKeyMode.Test, null, T0);
        Assert.Equal("ci", key.Name);
        Assert.Equal(secret.Hash(), key.KeyHash);
        Assert.Equal("tp_test_…" + secret.Value[^4..], key.Display);
        Assert.StartsWith("key_", key.Id.Value, StringComparison.Ordinal);
        Assert.Equal(ApiKeyStatus.Active, key.StatusAt(T0));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("a\u0001b")]
    public void Create_RefusesABadName(string name) =>
        Assert.Equal("api_key.name_invalid", Assert.Throws<InvalidDomainValueException>(() => ApiKey.Create(User, name, ApiKeyMode.Live, null, T0)).Code);

    [Fact]
    public void Create_RefusesAnExpiryInThePast() =>
        Assert.Throws<InvalidDomainValueException>(() => ApiKey.Create(User, "k", ApiKeyMode.Live, T0, T0));

    [Fact]
    public void Status_FollowsExpiryAndRevocation()
    {
        var (key, _) = ApiKey.Create(User, "k", ApiKeyMode.Live, At(10), T0);
        Assert.Equal(ApiKeyStatus.Active, key.StatusAt(At(9)));
        Assert.Equal(ApiKeyStatus.Expired, key.StatusAt(At(10)));
        key.Revoke(At(11));
        key.Revoke(At(12));
        Assert.Equal(At(11), key.RevokedAt);
        Assert.Equal(ApiKeyStatus.Revoked, key.StatusAt(At(13)));
    }

    [Fact]
    public void Roll_IssuesASuccessor_AndKeepsTheOldKeyForTheGracePeriod()
    {
        var (key, _) = ApiKey.Create(User, "prod", ApiKeyMode.Live, null, T0);
        var (next, secret) = key.Roll(TimeSpan.FromMinutes(5), At(1));
        Assert.Equal(("prod", ApiKeyMode.Live, User), (next.Name, next.Mode, next.OwnerId));
        Assert.Equal(secret.Hash(), next.KeyHash);
        Assert.Equal(next.Id, key.ReplacedBy);
        Assert.Equal(ApiKeyStatus.Active, key.StatusAt(At(5)));
        Assert.Equal(ApiKeyStatus.Expired, key.StatusAt(At(6)));
        Assert.False(key.CountsTowardsLimit(At(2)));
        Assert.Equal("api_key.already_rolled", Assert.Throws<DomainException>(() => key.Roll(TimeSpan.Zero, At(2))).Code);
    }

    [Fact]
    public void Roll_NeverExtendsAnEarlierExpiry_AndZeroEndsTheOldKeyAtOnce()
    {
        var (key, _) = ApiKey.Create(User, "k", ApiKeyMode.Live, At(3), T0);
        key.Roll(TimeSpan.FromDays(7), At(1));
        Assert.Equal(At(3), key.ExpiresAt);

        var (other, _) = ApiKey.Create(User, "k", ApiKeyMode.Live, null, T0);
        other.Roll(TimeSpan.Zero, At(1));
        Assert.Equal(ApiKeyStatus.Expired, other.StatusAt(At(1)));
    }

    [Fact]
    public void Roll_RefusesARevokedKey_AndAGraceOutOfRange()
    {
        var (key, _) = ApiKey.Create(User, "k", ApiKeyMode.Live, null, T0);
        Assert.Throws<InvalidDomainValueException>(() => key.Roll(TimeSpan.FromSeconds(604_801), At(1)));
        Assert.Throws<InvalidDomainValueException>(() => key.Roll(TimeSpan.FromSeconds(-1), At(1)));
        key.Revoke(At(1));
        Assert.Equal("api_key.not_active", Assert.Throws<DomainException>(() => key.Roll(TimeSpan.Zero, At(2))).Code);
    }
}
