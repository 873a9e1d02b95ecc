using Billing.Application.Abstractions.RateLimiting;
using Billing.IntegrationTests.Infrastructure;
using static Billing.IntegrationTests.RateLimiting.RateLimiterTestKit;

namespace Billing.IntegrationTests.RateLimiting;

/// <summary>The Redis limiter against a real redis-server, with two connections standing for two service instances.</summary>
public sealed class RedisRateLimiterTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task Two_instances_sharing_Redis_admit_exactly_L_of_a_2L_burst()
    {
        var (redisA, a) = await InstanceAsync(redis.Url);
        var (redisB, b) = await InstanceAsync(redis.Url);
        await using var _ = redisA;
        await using var __ = redisB;
        var policy = new RateLimitPolicy("free", 10, 1);
        var subject = Subject();

        // 20 at once, alternating instances: the refill (one per 6 s) cannot add a token during the burst.
        var decisions = await Task.WhenAll(Enumerable.Range(0, 20)
            .Select(i => (i % 2 == 0 ? a : b).TryAcquireAsync(subject, policy, CancellationToken.None).AsTask()));

        Assert.Equal(10, decisions.Count(d => d.Allowed));
        Assert.All(decisions, d => Assert.Equal(10, d.Limit));
        Assert.Equal(Enumerable.Range(0, 10).Reverse(), decisions.Where(d => d.Allowed).Select(d => d.Remaining).OrderDescending());
        Assert.All(decisions.Where(d => !d.Allowed), d =>
        {
            Assert.Equal(0, d.Remaining);
            Assert.InRange(d.RetryAfterSeconds, 1, 6);
            Assert.InRange(d.ResetSeconds, 50, 60);
        });

        // Another subject has its own bucket.
        Assert.True((await b.TryAcquireAsync(Subject(), policy, CancellationToken.None)).Allowed);
    }

    [Fact]
    public async Task The_bucket_refills_continuously()
    {
        var (connection, limiter) = await InstanceAsync(redis.Url);
        await using var _ = connection;
        var policy = new RateLimitPolicy("fast", 600, 1); // one request back every 100 ms
        var subject = Subject();
        var admitted = 0;
        while ((await limiter.TryAcquireAsync(subject, policy, CancellationToken.None)).Allowed)
        {
            admitted++;
        }

        Assert.InRange(admitted, 600, 700);
        var again = await EventuallyAsync(
            async () => await limiter.TryAcquireAsync(subject, policy, CancellationToken.None) is { Allowed: true } d ? d : null,
            TimeSpan.FromSeconds(20),
            "a refilled token");
        Assert.Equal(0, again.Remaining);
    }

    [Fact]
    public async Task A_limit_beyond_one_per_microsecond_still_decides()
    {
        var (connection, limiter) = await InstanceAsync(redis.Url);
        await using var _ = connection;

        var decision = await limiter.TryAcquireAsync(Subject(), new RateLimitPolicy("huge", int.MaxValue, 1), CancellationToken.None);

        Assert.True(decision.Allowed);
        Assert.InRange(decision.Remaining, 0, int.MaxValue - 1);
    }

    [Fact]
    public async Task Stream_slots_are_shared_and_given_back_on_dispose()
    {
        var (redisA, a) = await InstanceAsync(redis.Url);
        var (redisB, b) = await InstanceAsync(redis.Url);
        await using var _ = redisA;
        await using var __ = redisB;
        var policy = new RateLimitPolicy("explorer", 60, 2);
        var subject = Subject();

        var first = await a.TryAcquireStreamAsync(subject, policy, CancellationToken.None);
        var second = await b.TryAcquireStreamAsync(subject, policy, CancellationToken.None);
        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Null(await a.TryAcquireStreamAsync(subject, policy, CancellationToken.None));
        Assert.Null(await b.TryAcquireStreamAsync(subject, policy, CancellationToken.None));

        await first.DisposeAsync();
        await first.DisposeAsync(); // twice is harmless and frees nothing more
        var third = await b.TryAcquireStreamAsync(subject, policy, CancellationToken.None);
        Assert.NotNull(third);
        Assert.Null(await a.TryAcquireStreamAsync(subject, policy, CancellationToken.None));
        await second.DisposeAsync();
        await third.DisposeAsync();
    }

    [Fact]
    public async Task A_held_slot_is_renewed_but_a_crashed_instance_loses_it_when_the_lease_expires()
    {
        var lease = TimeSpan.FromSeconds(2);
        var (crashing, a) = await InstanceAsync(redis.Url, lease);
        var (survivorRedis, b) = await InstanceAsync(redis.Url, lease);
        await using var _ = survivorRedis;
        var policy = new RateLimitPolicy("explorer", 60, 2);
        var subject = Subject();

        // One slot each; the survivor keeps renewing its own, so the set as a whole never expires.
        var held = await a.TryAcquireStreamAsync(subject, policy, CancellationToken.None);
        await using var survivorSlot = await b.TryAcquireStreamAsync(subject, policy, CancellationToken.None);
        Assert.NotNull(held);
        Assert.NotNull(survivorSlot);

        // Held well past one lease: renewal keeps both.
        await Task.Delay(lease * 2.5);
        Assert.Null(await b.TryAcquireStreamAsync(subject, policy, CancellationToken.None));

        // The instance dies without giving the slot back: no dispose, its connection is gone.
        await crashing.CloseAsync(allowCommandsToComplete: false);
        await crashing.DisposeAsync();
        var taken = await EventuallyAsync(
            () => b.TryAcquireStreamAsync(subject, policy, CancellationToken.None).AsTask(),
            TimeSpan.FromSeconds(30),
            "the crashed instance's slot expiring");
        await taken.DisposeAsync();
    }
}
