using Billing.Application.Abstractions.RateLimiting;
using Billing.Infrastructure.RateLimiting;
using Billing.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Logging;
using static Billing.IntegrationTests.RateLimiting.RateLimiterTestKit;

namespace Billing.IntegrationTests.RateLimiting;

/// <summary>Redis stopped mid-run: no decision throws, the fallback decides, the outage is logged once, and Redis takes over again.</summary>
public sealed class FailOpenRateLimiterTests
{
    [Fact]
    public async Task Redis_stopped_mid_run_fails_open_logs_once_and_recovers()
    {
        var redis = new RedisServer();
        await redis.InitializeAsync();
        try
        {
            var (connection, shared) = await InstanceAsync(redis.Url);
            await using var _ = connection;
            var fallback = new CountingLimiter();
            var logger = new ListLogger<FailOpenRequestRateLimiter>();
            var limiter = new FailOpenRequestRateLimiter(shared, fallback, TimeSpan.FromMilliseconds(100), TimeProvider.System, logger);
            var policy = new RateLimitPolicy("free", 3, 1);
            var subject = Subject();

            // Healthy: Redis decides (the fourth of a burst of 4 is refused, which the always-yes fallback would not do).
            var healthy = new List<RateLimitDecision>();
            for (var i = 0; i < 4; i++)
            {
                healthy.Add(await limiter.TryAcquireAsync(subject, policy, CancellationToken.None));
            }

            Assert.Equal([true, true, true, false], healthy.Select(d => d.Allowed));
            Assert.Equal(0, fallback.Decisions);

            await redis.StopAsync();
            for (var i = 0; i < 50; i++)
            {
                Assert.True((await limiter.TryAcquireAsync(subject, policy, CancellationToken.None)).Allowed);
            }

            await using (var stream = await limiter.TryAcquireStreamAsync(subject, policy, CancellationToken.None))
            {
                Assert.NotNull(stream);
            }

            Assert.True(limiter.InOutage);
            Assert.Equal(50, fallback.Decisions);
            Assert.Equal(1, fallback.Streams);
            Assert.Single(logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("unavailable", StringComparison.Ordinal));

            await redis.StartAsync();
            await EventuallyAsync(
                async () =>
                {
                    await limiter.TryAcquireAsync(subject, policy, CancellationToken.None);
                    return limiter.InOutage ? null : "recovered";
                },
                TimeSpan.FromSeconds(60),
                "recovery after Redis came back");

            // Redis decides again: a fresh Redis has an empty bucket, so exactly 3 of 4 pass and the fallback is not asked.
            var fallbackBefore = fallback.Decisions;
            var recovered = new List<bool>();
            var freshSubject = Subject();
            for (var i = 0; i < 4; i++)
            {
                recovered.Add((await limiter.TryAcquireAsync(freshSubject, policy, CancellationToken.None)).Allowed);
            }

            Assert.Equal([true, true, true, false], recovered);
            Assert.Equal(fallbackBefore, fallback.Decisions);
            Assert.Single(logger.Entries, e => e.Message.Contains("is back", StringComparison.Ordinal));
            Assert.Single(logger.Entries, e => e.Message.Contains("unavailable", StringComparison.Ordinal));
        }
        finally
        {
            await redis.DisposeAsync();
        }
    }
}
