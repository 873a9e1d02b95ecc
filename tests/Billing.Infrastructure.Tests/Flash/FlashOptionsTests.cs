using Billing.Application.Abstractions.Flash;
using Billing.Infrastructure.Flash;
using Billing.TestFakes.Flash;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.Infrastructure.Tests.Flash;

public sealed class FlashOptionsTests
{
    [Fact]
    public void Reads_the_env_var_keys()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MAIN_APP_INTERNAL_URL"] = "http://flash.internal:8080",
            ["FLASH_SERVICE_KEY"] = "svc-secret",
            ["FLASH_ADMIN_KEY"] = "admin-secret",
            ["FLASH_GATEWAY_SIGNING_SECRET"] = "sign-secret",
            ["FLASH_CREDITS_API_URL"] = "http://gateway.internal/base",
            ["FLASH_TIMEOUT_SECONDS"] = "2.5",
            ["FLASH_READ_RETRIES"] = "0",
        }).Build();

        var options = FlashOptions.FromConfiguration(configuration);

        Assert.Equal(new Uri("http://flash.internal:8080/"), options.BaseUrl);
        Assert.Equal(new Uri("http://gateway.internal/base/"), options.CreditsApiUrl);
        Assert.Equal(TimeSpan.FromSeconds(2.5), options.AttemptTimeout);
        Assert.Equal(0, options.ReadRetryCount);
        Assert.True(options.IsSigned);
        Assert.True(options.IsCreditsApiConfigured);
        Assert.Equal("svc-secret", options.EffectiveCreditsServiceKey);

        var printed = options.ToString();
        Assert.DoesNotContain("secret", printed, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_and_bad_values()
    {
        var empty = FlashOptions.FromConfiguration(new ConfigurationBuilder().Build());
        Assert.Equal(TimeSpan.FromSeconds(5), empty.AttemptTimeout);
        Assert.False(empty.IsSigned);
        Assert.Throws<InvalidOperationException>(() => empty.RequireBaseUrl());

        var bad = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["FLASH_TIMEOUT_SECONDS"] = "soon" }).Build();
        Assert.Throws<InvalidOperationException>(() => FlashOptions.FromConfiguration(bad));
    }

    [Fact]
    public async Task AddFlashClient_wires_a_working_client()
    {
        await using var fake = await FlashFake.StartAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MAIN_APP_INTERNAL_URL"] = fake.BaseUrl.ToString(),
            ["FLASH_SERVICE_KEY"] = "fake-service-key",
            ["FLASH_ADMIN_KEY"] = "fake-admin-key",
            ["FLASH_CREDITS_API_URL"] = fake.BaseUrl.ToString(),
        }).Build();
        var services = new ServiceCollection().AddLogging().AddFlashClient(configuration);
        await using var provider = services.BuildServiceProvider();

        var flash = provider.GetRequiredService<IFlashLedgerClient>();
        var credits = provider.GetRequiredService<IFlashCreditsClient>();
        var userId = fake.AddUser("ext-di", balance: 50);

        Assert.IsType<FlashGrantOutcome.Applied>(await flash.GrantCreditsAsync(new FlashGrant(userId, 10, "stripe_purchase", "DI"), CancellationToken.None));
        Assert.NotEmpty(await flash.GetCostsAsync(CancellationToken.None));
        Assert.True(credits.IsConfigured);
        Assert.Equal(60, fake.BalanceOf(userId));
    }
}
