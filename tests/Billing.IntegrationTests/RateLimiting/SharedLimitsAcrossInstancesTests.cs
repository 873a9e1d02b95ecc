using System.Net;
using Billing.Application.Abstractions.RateLimiting;
using Billing.Infrastructure.RateLimiting;
using Billing.IntegrationTests.Developer;
using Billing.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.IntegrationTests.RateLimiting;

/// <summary>
/// Two service instances on one database, through the real /v1 routes: with REDIS_URL they share one limit per key owner
/// (free tier: 10 a minute); without it each instance limits alone; with Redis gone they fail open to in-process limits.
/// </summary>
public sealed class SharedLimitsAcrossInstancesTests(BillingDatabase database, RedisServer redis)
    : IClassFixture<BillingDatabase>, IClassFixture<RedisServer>
{
    private const string Balance = "/v1/credits/balance";

    [Fact]
    public async Task With_REDIS_URL_two_instances_admit_one_tier_limit_between_them()
    {
        await using var host = await DeveloperTestHost.StartAsync(database, withSandbox: false, extra: new Dictionary<string, string?> { ["REDIS_URL"] = redis.Url });
        var second = await host.StartInstanceAsync();
        Assert.IsType<FailOpenRequestRateLimiter>(host.App.Services.GetRequiredService<IRequestRateLimiter>());

        var user = host.AddUser();
        var key = await host.CreateKeyTextAsync(user);
        // A burst of 2×L across the two instances: L admitted in total, L refused.
        var statuses = await AlternatingAsync(host, key, host.App, second, calls: 20);

        Assert.Equal(10, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(10, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task Without_REDIS_URL_each_instance_limits_alone()
    {
        await using var host = await DeveloperTestHost.StartAsync(database, withSandbox: false);
        var second = await host.StartInstanceAsync();
        Assert.IsType<InProcessRequestRateLimiter>(host.App.Services.GetRequiredService<IRequestRateLimiter>());

        var user = host.AddUser();
        var key = await host.CreateKeyTextAsync(user);
        var statuses = await AlternatingAsync(host, key, host.App, second, calls: 20);

        // 10 on each instance, each within its own limit of 10: 2×L admitted, why a fleet needs REDIS_URL.
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
    }

    [Fact]
    public async Task With_Redis_down_requests_are_still_served_and_limited_in_process_then_shared_again()
    {
        await using var host = await DeveloperTestHost.StartAsync(database, withSandbox: false, extra: new Dictionary<string, string?> { ["REDIS_URL"] = redis.Url });
        var limiter = Assert.IsType<FailOpenRequestRateLimiter>(host.App.Services.GetRequiredService<IRequestRateLimiter>());
        var user = host.AddUser();
        var key = await host.CreateKeyTextAsync(user);
        using var client = host.Developer(key);

        await redis.StopAsync();
        try
        {
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 12; i++)
            {
                statuses.Add((await client.GetAsync(new Uri(Balance, UriKind.Relative))).StatusCode);
            }

            // Never a 5xx because Redis is gone: the instance's own bucket decides (10 admitted, then 429).
            Assert.Equal(10, statuses.Count(s => s == HttpStatusCode.OK));
            Assert.Equal(2, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
            Assert.True(limiter.InOutage);
        }
        finally
        {
            await redis.StartAsync();
        }

        // Back to Redis: a new owner's burst is decided there again.
        var other = host.AddUser();
        using var otherClient = host.Developer(await host.CreateKeyTextAsync(other));
        await RateLimiterTestKit.EventuallyAsync<object>(
            async () => (await otherClient.GetAsync(new Uri(Balance, UriKind.Relative))).IsSuccessStatusCode && !limiter.InOutage ? new object() : null,
            TimeSpan.FromSeconds(20),
            "the limiter returning to Redis");
    }

    private static async Task<List<HttpStatusCode>> AlternatingAsync(DeveloperTestHost host, string key, WebApplicationFactory<Program> first, WebApplicationFactory<Program> second, int calls)
    {
        using var a = host.Developer(key, first);
        using var b = host.Developer(key, second);
        // All at once, so the bucket's refill (one token per 6 s on the free tier) cannot add a token during the burst.
        var responses = await Task.WhenAll(Enumerable.Range(0, calls).Select(i => (i % 2 == 0 ? a : b).GetAsync(new Uri(Balance, UriKind.Relative))));
        return [.. responses.Select(r => r.StatusCode)];
    }
}
