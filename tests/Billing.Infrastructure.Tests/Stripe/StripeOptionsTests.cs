using Billing.Application.Abstractions.Stripe;
using Billing.Infrastructure.Stripe;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.Infrastructure.Tests.Stripe;

public sealed class StripeOptionsTests
{
    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(value => new KeyValuePair<string, string?>(value.Key, value.Value)))
            .Build();

    [Fact]
    public void Defaults()
    {
        var options = StripeOptions.FromConfiguration(Config(("STRIPE_SECRET_KEY", "sk_test_1"), ("STRIPE_WEBHOOK_SECRET", "whsec_1")));

        Assert.Equal(new Uri("https://api.stripe.com"), options.ApiBase);
        Assert.Equal(StripeApiVersions.Pinned, options.ApiVersion);
        Assert.Equal(2, options.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(80), options.RequestTimeout);
        Assert.Equal(TimeSpan.FromSeconds(300), options.WebhookTolerance);
    }

    [Fact]
    public void ReadsEveryVariable_AndNeverPrintsSecrets()
    {
        var options = StripeOptions.FromConfiguration(Config(
            ("STRIPE_SECRET_KEY", "sk_test_secret_value"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_secret_value"),
            ("STRIPE_API_BASE", "http://127.0.0.1:5000"),
            ("STRIPE_API_VERSION", StripeApiVersions.Pinned),
            ("STRIPE_TIMEOUT_SECONDS", "15"),
            ("STRIPE_MAX_RETRIES", "0"),
            ("STRIPE_WEBHOOK_TOLERANCE_SECONDS", "120")));

        Assert.Equal("sk_test_secret_value", options.SecretKey);
        Assert.Equal("whsec_secret_value", options.WebhookSecret);
        Assert.Equal(new Uri("http://127.0.0.1:5000"), options.ApiBase);
        Assert.Equal(StripeApiVersions.Pinned, options.ApiVersion);
        Assert.Equal(TimeSpan.FromSeconds(15), options.RequestTimeout);
        Assert.Equal(0, options.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(120), options.WebhookTolerance);
        Assert.DoesNotContain("secret_value", options.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("STRIPE_SECRET_KEY", "")]
    [InlineData("STRIPE_WEBHOOK_SECRET", "")]
    [InlineData("STRIPE_API_BASE", "not a url")]
    [InlineData("STRIPE_API_BASE", "ftp://x")]
    [InlineData("STRIPE_MAX_RETRIES", "-1")]
    [InlineData("STRIPE_TIMEOUT_SECONDS", "abc")]
    [InlineData("STRIPE_API_VERSION", "2025-03-31.basil")]
    public void InvalidSettings_FailWithTheVariableName_NotItsValue(string key, string value)
    {
        var settings = new Dictionary<string, string>
        {
            ["STRIPE_SECRET_KEY"] = "sk_test_1",
            ["STRIPE_WEBHOOK_SECRET"] = "whsec_1",
            [key] = value,
        };

        var exception = Assert.Throws<InvalidOperationException>(
            () => StripeOptions.FromConfiguration(Config([.. settings.Select(pair => (pair.Key, pair.Value))])));

        Assert.Contains(key, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ThePinnedVersion_IsTheOneStripeNetSends()
    {
        Assert.Equal(StripeApiVersions.Pinned, global::Stripe.StripeConfiguration.ApiVersion);
    }

    [Fact]
    public void AddStripeClient_ResolvesClientAndVerifier()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddStripeClient(Config(("STRIPE_SECRET_KEY", "sk_test_1"), ("STRIPE_WEBHOOK_SECRET", "whsec_1")));
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        Assert.IsType<StripeSdkClient>(provider.GetRequiredService<IStripeClient>());
        Assert.IsType<StripeWebhookVerifier>(provider.GetRequiredService<IStripeWebhookVerifier>());
    }
}
