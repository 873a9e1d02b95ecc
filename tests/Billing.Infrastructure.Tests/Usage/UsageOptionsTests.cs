using Billing.Infrastructure.Usage;
using Microsoft.Extensions.Configuration;

namespace Billing.Infrastructure.Tests.Usage;

public sealed class UsageOptionsTests
{
    [Fact]
    public void Retention_defaults_to_400_days_and_can_be_set()
    {
        Assert.Equal(400, UsageOptions.FromConfiguration(Configuration(null)).RetentionDays);
        Assert.Equal(31, UsageOptions.FromConfiguration(Configuration("31")).RetentionDays);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("forever")]
    [InlineData("1.5")]
    public void A_bad_retention_fails_naming_the_variable(string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => UsageOptions.FromConfiguration(Configuration(value)));

        Assert.Contains("USAGE_RETENTION_DAYS", error.Message, StringComparison.Ordinal);
    }

    private static IConfiguration Configuration(string? retention) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["USAGE_RETENTION_DAYS"] = retention }).Build();
}
