using Billing.Application.Abstractions.Apple;
using Billing.Application.Stripe;

namespace Billing.Application.Tests;

public sealed class MoneySettingsTests
{
    [Fact]
    public void SandboxPolicy_ReadsTheUsersAndTheCap_AndRestrictsOnlySandboxDataInAProductionService()
    {
        var policy = AppleSandboxPolicy.From(productionService: true, " u1 , u2,,", "500");

        Assert.Equal(["u1", "u2"], policy.AllowedUsers.Order(StringComparer.Ordinal));
        Assert.Equal(500, policy.MaxCreditsPerDay);
        Assert.True(policy.Restricts("Sandbox"));
        Assert.False(policy.Restricts("Production"));
        Assert.False(AppleSandboxPolicy.From(productionService: false, null, null).Restricts("Sandbox"));
        Assert.Equal(2000, AppleSandboxPolicy.From(true, null, " ").MaxCreditsPerDay);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("lots")]
    [InlineData("1.5")]
    public void SandboxPolicy_ABadCap_FailsNamingTheVariable(string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => AppleSandboxPolicy.From(true, null, value));

        Assert.Contains(AppleSandboxPolicy.MaxCreditsPerDayVariable, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PriceMap_ReadsPricePairs()
    {
        var map = StripePriceMap.Parse(" price_a = com.timepoint.flash.sub.creator ,price_b=com.timepoint.flash.sub.studio");

        Assert.Equal("com.timepoint.flash.sub.creator", map.ProductByPrice["price_a"]);
        Assert.Equal("com.timepoint.flash.sub.studio", map.ProductByPrice["price_b"]);
        Assert.Empty(StripePriceMap.Parse(null).ProductByPrice);
    }

    [Theory]
    [InlineData("price_a")]
    [InlineData("=com.timepoint.flash.sub.creator")]
    [InlineData("price_a=com.timepoint.flash.credits.50")] // a pack is not a tier
    [InlineData("price_a=com.example.unknown")]
    [InlineData("price_a=com.timepoint.flash.sub.creator,price_a=com.timepoint.flash.sub.studio")]
    public void PriceMap_ABadPair_FailsNamingTheVariable(string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => StripePriceMap.Parse(value));

        Assert.Contains(StripePriceMap.Variable, error.Message, StringComparison.Ordinal);
    }
}
