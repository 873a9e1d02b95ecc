using Billing.Application.Abstractions.RateLimiting;
using Billing.Infrastructure.RateLimiting;
using Microsoft.Extensions.Time.Testing;

namespace Billing.Infrastructure.Tests.RateLimiting;

public class InProcessRequestRateLimiterTests
{
    private static readonly RateLimitPolicy Free = new("free", 10, 1);

    [Fact]
    public async Task ABurstOfTwiceTheLimit_AdmitsExactlyTheLimit()
    {
        var limiter = new InProcessRequestRateLimiter(new FakeTimeProvider());
        var decisions = new List<RateLimitDecision>();
        for (var i = 0; i < 20; i++)
        {
            decisions.Add(await limiter.TryAcquireAsync("owner", Free, CancellationToken.None));
        }

        Assert.Equal(10, decisions.Count(d => d.Allowed));
        Assert.All(decisions.Take(10), d => Assert.True(d.Allowed));
        Assert.Equal(9, decisions[0].Remaining);
        Assert.Equal(0, decisions[9].Remaining);
        var refused = decisions[10];
        Assert.False(refused.Allowed);
        Assert.Equal(6, refused.RetryAfterSeconds); // one token every 6 s at 10/min
        Assert.Equal(60, refused.ResetSeconds);
    }

    [Fact]
    public async Task Tokens_RefillContinuously_NotPerWindow()
    {
        var clock = new FakeTimeProvider();
        var limiter = new InProcessRequestRateLimiter(clock);
        for (var i = 0; i < 10; i++)
        {
            Assert.True((await limiter.TryAcquireAsync("owner", Free, CancellationToken.None)).Allowed);
        }

        clock.Advance(TimeSpan.FromSeconds(5.9));
        Assert.False((await limiter.TryAcquireAsync("owner", Free, CancellationToken.None)).Allowed);
        clock.Advance(TimeSpan.FromSeconds(0.2));
        Assert.True((await limiter.TryAcquireAsync("owner", Free, CancellationToken.None)).Allowed);
        Assert.False((await limiter.TryAcquireAsync("owner", Free, CancellationToken.None)).Allowed);

        // A full minute refills the bucket to its capacity, never beyond.
        clock.Advance(TimeSpan.FromMinutes(5));
        var admitted = 0;
        for (var i = 0; i < 20; i++)
        {
            admitted += (await limiter.TryAcquireAsync("owner", Free, CancellationToken.None)).Allowed ? 1 : 0;
        }

        Assert.Equal(10, admitted);
    }

    [Fact]
    public async Task Owners_HaveSeparateBuckets()
    {
        var limiter = new InProcessRequestRateLimiter(new FakeTimeProvider());
        for (var i = 0; i < 10; i++)
        {
            await limiter.TryAcquireAsync("a", Free, CancellationToken.None);
        }

        Assert.False((await limiter.TryAcquireAsync("a", Free, CancellationToken.None)).Allowed);
        Assert.True((await limiter.TryAcquireAsync("b", Free, CancellationToken.None)).Allowed);
    }

    [Fact]
    public async Task AnUpgrade_GrowsTheBucketAtOnce_KeepingWhatWasUsed()
    {
        var limiter = new InProcessRequestRateLimiter(new FakeTimeProvider());
        for (var i = 0; i < 10; i++)
        {
            await limiter.TryAcquireAsync("owner", Free, CancellationToken.None);
        }

        var studio = new RateLimitPolicy("studio", 1000, 8);
        var decision = await limiter.TryAcquireAsync("owner", studio, CancellationToken.None);
        Assert.True(decision.Allowed);
        Assert.Equal(1000, decision.Limit);
        Assert.Equal(989, decision.Remaining);
    }

    [Fact]
    public async Task StreamSlots_AreHeldUntilTheLeaseIsDisposed()
    {
        var limiter = new InProcessRequestRateLimiter(new FakeTimeProvider());
        var policy = new RateLimitPolicy("explorer", 60, 2);
        var first = await limiter.TryAcquireStreamAsync("owner", policy, CancellationToken.None);
        var second = await limiter.TryAcquireStreamAsync("owner", policy, CancellationToken.None);
        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Null(await limiter.TryAcquireStreamAsync("owner", policy, CancellationToken.None));

        await first.DisposeAsync();
        await first.DisposeAsync(); // a second dispose gives nothing back twice
        var third = await limiter.TryAcquireStreamAsync("owner", policy, CancellationToken.None);
        Assert.NotNull(third);
        Assert.Null(await limiter.TryAcquireStreamAsync("owner", policy, CancellationToken.None));
    }

    [Fact]
    public async Task ConcurrentCallers_NeverGetMoreThanTheCapacity()
    {
        var limiter = new InProcessRequestRateLimiter(new FakeTimeProvider());
        var policy = new RateLimitPolicy("creator", 300, 4);
        var results = await Task.WhenAll(Enumerable.Range(0, 600).Select(_ => Task.Run(async () => await limiter.TryAcquireAsync("owner", policy, CancellationToken.None))));
        Assert.Equal(300, results.Count(r => r.Allowed));
    }
}
