using Billing.Application.Abstractions.RateLimiting;
using Billing.Infrastructure.RateLimiting;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Billing.IntegrationTests.RateLimiting;

internal static class RateLimiterTestKit
{
    /// <summary>A limiter with its own connection: one per simulated service instance.</summary>
    public static async Task<(ConnectionMultiplexer Redis, RedisRequestRateLimiter Limiter)> InstanceAsync(string redisUrl, TimeSpan? streamLease = null)
    {
        var options = RedisRateLimitOptions.Parse(redisUrl) with { StreamLease = streamLease ?? TimeSpan.FromSeconds(30) };
        var redis = await ConnectionMultiplexer.ConnectAsync(options.Connection);
        return (redis, new RedisRequestRateLimiter(redis, options, NullLogger<RedisRequestRateLimiter>.Instance));
    }

    public static string Subject() => "user_" + Guid.NewGuid().ToString("N");

    public static async Task<T> EventuallyAsync<T>(Func<Task<T?>> attempt, TimeSpan timeout, string what)
        where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await attempt() is { } result)
            {
                return result;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what} did not happen within {timeout.TotalSeconds:0} s");
            }

            await Task.Delay(50);
        }
    }
}

/// <summary>An in-process stand-in for the fallback: admits everything and counts what it was asked.</summary>
internal sealed class CountingLimiter : IRequestRateLimiter
{
    private int _decisions;
    private int _streams;

    public int Decisions => Volatile.Read(ref _decisions);

    public int Streams => Volatile.Read(ref _streams);

    public ValueTask<RateLimitDecision> TryAcquireAsync(string subject, RateLimitPolicy policy, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _decisions);
        return ValueTask.FromResult(new RateLimitDecision(true, policy.RequestsPerMinute, policy.RequestsPerMinute - 1, 1, 0));
    }

    public ValueTask<IAsyncDisposable?> TryAcquireStreamAsync(string subject, RateLimitPolicy policy, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _streams);
        return ValueTask.FromResult<IAsyncDisposable?>(new Released());
    }

    private sealed class Released : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
