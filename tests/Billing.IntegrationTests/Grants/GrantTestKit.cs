using Billing.Domain.Common;
using Billing.Domain.Grants;
using Billing.Infrastructure.Grants;
using Billing.IntegrationTests.Infrastructure;
using Billing.TestFakes.Flash;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.IntegrationTests.Grants;

/// <summary>A dispatcher wired to a Flash fake over real loopback HTTP, on a test class's database.</summary>
internal sealed class GrantTestKit : IAsyncDisposable
{
    private readonly bool _ownsFlash;

    private GrantTestKit(BillingDatabase database, FlashFake flash, ServiceProvider services, bool ownsFlash)
    {
        Database = database;
        Flash = flash;
        Services = services;
        _ownsFlash = ownsFlash;
    }

    public BillingDatabase Database { get; }

    public FlashFake Flash { get; }

    public ServiceProvider Services { get; }

    public GrantDispatcher Dispatcher => Services.GetRequiredService<GrantDispatcher>();

    public static async Task<GrantTestKit> StartAsync(BillingDatabase database, bool signed, IDictionary<string, string?>? extra = null, FlashFake? sharedFlash = null)
    {
        const string secret = "gateway-signing-secret-for-tests";
        var flash = sharedFlash ?? await FlashFake.StartAsync(new FlashFakeOptions { GatewaySigningSecret = signed ? secret : null });
        return new GrantTestKit(database, flash, ServiceHost.Build(database.ConnectionString, settings: Settings(flash, signed ? secret : null, extra)), ownsFlash: sharedFlash is null);
    }

    public static Dictionary<string, string?> Settings(FlashFake flash, string? signingSecret, IDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["MAIN_APP_INTERNAL_URL"] = flash.BaseUrl.ToString(),
            ["FLASH_SERVICE_KEY"] = "fake-service-key",
            ["FLASH_ADMIN_KEY"] = "fake-admin-key",
            ["FLASH_GATEWAY_SIGNING_SECRET"] = signingSecret,
            ["FLASH_TIMEOUT_SECONDS"] = "1",
            ["FLASH_CIRCUIT_BREAK_SECONDS"] = "1",
            ["GRANT_RETRY_BASE_MS"] = "20",
            ["GRANT_RETRY_MAX_SECONDS"] = "1",
            ["GRANT_AMBIGUOUS_SETTLE_MS"] = "200",
            ["GRANT_LEASE_SECONDS"] = "2",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    public async Task<List<string>> SeedGrantsAsync(string userId, int count, int amount = 10, string prefix = "test")
    {
        var keys = new List<string>(count);
        await using var db = Database.CreateContext();
        for (var i = 0; i < count; i++)
        {
            var key = GrantKey.Parse($"{prefix}:grant:{Guid.NewGuid():N}");
            db.CreditGrants.Add(CreditGrant.FromRequest(
                new CreditGrantRequest(UserId.From(userId), amount, amount > 0 ? TransactionType.StripePurchase : TransactionType.Refund, key, $"Test grant of {amount} [{key}]"),
                "Test",
                DateTimeOffset.UtcNow));
            keys.Add(key.Value);
        }

        await db.SaveChangesAsync();
        return keys;
    }

    /// <summary>Runs dispatcher passes until nothing is pending any more (or the timeout), like the hosted service would.</summary>
    public async Task DrainAsync(TimeSpan timeout, GrantDispatcher? dispatcher = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var claimed = await (dispatcher ?? Dispatcher).RunOnceAsync(CancellationToken.None);
            if (claimed == 0)
            {
                if (await Database.ScalarAsync("SELECT count(*) FROM credit_grants WHERE status = 'pending'") == 0)
                {
                    return;
                }

                await Task.Delay(25);
            }
        }
    }

    public async Task<Dictionary<string, CreditGrant>> GrantsAsync(IEnumerable<string> keys)
    {
        await using var db = Database.CreateContext();
        var wanted = keys.Select(GrantKey.Parse).ToList();
        return await db.CreditGrants.Where(g => wanted.Contains(g.GrantKey)).ToDictionaryAsync(g => g.GrantKey.Value);
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        if (_ownsFlash)
        {
            await Flash.DisposeAsync();
        }
    }
}
