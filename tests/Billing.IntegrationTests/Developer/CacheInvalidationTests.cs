using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.Infrastructure.ApiKeys;
using Billing.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Billing.IntegrationTests.Developer;

/// <summary>Two service instances on one database: what one changes, the other's caches drop within the promised time.</summary>
public sealed class CacheInvalidationTests(BillingDatabase database) : IClassFixture<BillingDatabase>, IAsyncLifetime
{
    private DeveloperTestHost _host = null!;

    public async Task InitializeAsync() => _host = await DeveloperTestHost.StartAsync(database);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task ARevocationOnOneInstance_IsSeenByAnotherWithin1Second()
    {
        var second = await _host.StartInstanceAsync();
        var user = _host.AddUser();
        var created = await _host.CreateKeyAsync(user);
        var key = created.GetProperty("key").GetString()!;
        using var viaSecond = _host.Developer(key, second);

        // The second instance has the key cached (its TTL is far longer than a second: only the notification can evict it).
        Assert.Equal(HttpStatusCode.OK, (await viaSecond.GetAsync(new Uri("/v1/credits/balance", UriKind.Relative))).StatusCode);
        Assert.True(second.Services.GetRequiredService<ApiKeyDirectoryCache>().Count >= 1);
        Assert.True(ApiKeyCacheOptions.Default.PositiveTtl >= TimeSpan.FromSeconds(10));

        Assert.Equal(HttpStatusCode.NoContent, (await _host.Service(user).DeleteAsync($"/internal/billing/keys/{created.GetProperty("id").GetString()}")).StatusCode);
        await ApiKeyRouteTests.SeenWithin(
            async () => (await viaSecond.GetAsync(new Uri("/v1/credits/balance", UriKind.Relative))).StatusCode == HttpStatusCode.Unauthorized,
            TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task ARollOverExpiry_IsSeenByAnotherInstanceWithin1Second()
    {
        var second = await _host.StartInstanceAsync();
        var user = _host.AddUser();
        var created = await _host.CreateKeyAsync(user);
        using var viaSecond = _host.Developer(created.GetProperty("key").GetString(), second);
        Assert.Equal(HttpStatusCode.OK, (await viaSecond.GetAsync(new Uri("/v1/credits/balance", UriKind.Relative))).StatusCode);

        await _host.Service(user).PostAsJsonAsync($"/internal/billing/keys/{created.GetProperty("id").GetString()}/roll", new { expire_old_in_seconds = 0 });
        await ApiKeyRouteTests.SeenWithin(
            async () => (await viaSecond.GetAsync(new Uri("/v1/credits/balance", UriKind.Relative))).StatusCode == HttpStatusCode.Unauthorized,
            TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task ASubscriptionChange_ChangesTheTierAndLimitWithin5Seconds()
    {
        var second = await _host.StartInstanceAsync();
        var user = _host.AddUser();
        var key = await _host.CreateKeyTextAsync(user);
        Assert.Equal("free", await TierAsync(second, key));

        await InsertSubscriptionAsync(user, "creator", "active");
        await ApiKeyRouteTests.SeenWithin(async () => await TierAsync(second, key) == "creator", TimeSpan.FromSeconds(5));
        var response = await _host.Developer(key, second).GetAsync(new Uri("/v1/credits/balance", UriKind.Relative));
        Assert.Equal("\"minute\";q=300;w=60", DeveloperRelayTests.Header(response, "RateLimit-Policy"));

        // The best of several subscriptions counts, across providers; an expired one does not.
        await InsertSubscriptionAsync(user, "studio", "expired", "apple");
        await Task.Delay(300);
        Assert.Equal("creator", await TierAsync(second, key));
        await InsertSubscriptionAsync(user, "studio", "past_due", "apple");
        await ApiKeyRouteTests.SeenWithin(async () => await TierAsync(second, key) == "studio", TimeSpan.FromSeconds(5));

        await using var command = database.DataSource.CreateCommand("UPDATE subscriptions SET status = 'expired' WHERE user_id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = user });
        await command.ExecuteNonQueryAsync();
        await ApiKeyRouteTests.SeenWithin(async () => await TierAsync(second, key) == "free", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task WithoutNotifications_TheTierCacheStillExpiresWithin5Seconds()
    {
        var user = _host.AddUser();
        var key = await _host.CreateKeyTextAsync(user);
        Assert.Equal("free", await TierAsync(_host.App, key));

        // Insert without the trigger firing (as if the notification were lost).
        await using (var connection = await database.DataSource.OpenConnectionAsync())
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var disable = new NpgsqlCommand("ALTER TABLE subscriptions DISABLE TRIGGER subscriptions_notify_tier", connection, transaction))
            {
                await disable.ExecuteNonQueryAsync();
            }

            await InsertSubscriptionAsync(user, "explorer", "active", "stripe", connection, transaction);
            await using (var enable = new NpgsqlCommand("ALTER TABLE subscriptions ENABLE TRIGGER subscriptions_notify_tier", connection, transaction))
            {
                await enable.ExecuteNonQueryAsync();
            }

            await transaction.CommitAsync();
        }

        Assert.Equal("free", await TierAsync(_host.App, key));
        await ApiKeyRouteTests.SeenWithin(async () => await TierAsync(_host.App, key) == "explorer", TimeSpan.FromSeconds(5));
    }

    private async Task<string?> TierAsync(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> instance, string key)
    {
        using var client = _host.Service("gateway", instance);
        var verified = await (await client.PostAsJsonAsync("/internal/billing/keys/verify", new { key })).Content.ReadFromJsonAsync<JsonElement>();
        return verified.GetProperty("tier").GetString();
    }

    private async Task InsertSubscriptionAsync(string user, string tier, string status, string source = "stripe", NpgsqlConnection? connection = null, NpgsqlTransaction? transaction = null)
    {
        const string sql = """
            INSERT INTO subscriptions (id, user_id, source, tier, provider_subscription_id, status, credits_per_period, current_period_start, current_period_end, last_event_at, created_at)
            VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, 100, now(), now() + interval '30 days', now(), now())
            """;
        await using var command = connection is null ? database.DataSource.CreateCommand(sql) : new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = user });
        command.Parameters.Add(new NpgsqlParameter { Value = source });
        command.Parameters.Add(new NpgsqlParameter { Value = tier });
        command.Parameters.Add(new NpgsqlParameter { Value = "sub_" + Guid.NewGuid().ToString("N") });
        command.Parameters.Add(new NpgsqlParameter { Value = status });
        await command.ExecuteNonQueryAsync();
    }
}
