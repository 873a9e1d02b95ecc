using Billing.Application.Abstractions.RateLimiting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Billing.Infrastructure.RateLimiting;

/// <summary>
/// Rate-limit state shared by every instance through Redis: one Lua script run per decision (atomic, Redis's clock).
/// Failures (Redis down, timeouts) are thrown to the caller; <see cref="FailOpenRequestRateLimiter"/> turns them into
/// in-process decisions.
/// </summary>
public sealed class RedisRequestRateLimiter(IConnectionMultiplexer redis, RedisRateLimitOptions options, ILogger<RedisRequestRateLimiter> logger)
    : IRequestRateLimiter
{
    private const long MinuteMicroseconds = 60_000_000;

    public async ValueTask<RateLimitDecision> TryAcquireAsync(string subject, RateLimitPolicy policy, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(policy.RequestsPerMinute, 1);
        cancellationToken.ThrowIfCancellationRequested();
        var result = await redis.GetDatabase().ScriptEvaluateAsync(
            RedisRateLimitScripts.Minute,
            [new RedisKey(options.KeyPrefix + "minute:" + subject)],
            [policy.RequestsPerMinute, MinuteMicroseconds]);
        var values = (RedisValue[])result!;
        return new RateLimitDecision(
            Allowed: (int)values[0] == 1,
            Limit: policy.RequestsPerMinute,
            Remaining: (int)values[1],
            ResetSeconds: (int)values[2],
            RetryAfterSeconds: (int)values[3]);
    }

    public async ValueTask<IAsyncDisposable?> TryAcquireStreamAsync(string subject, RateLimitPolicy policy, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(policy.ConcurrentStreams, 0);
        cancellationToken.ThrowIfCancellationRequested();
        var key = new RedisKey(options.KeyPrefix + "streams:" + subject);
        var leaseId = Guid.NewGuid().ToString("N");
        var leaseMs = (long)options.StreamLease.TotalMilliseconds;
        var taken = await redis.GetDatabase().ScriptEvaluateAsync(
            RedisRateLimitScripts.AcquireStream,
            [key],
            [policy.ConcurrentStreams, leaseId, leaseMs]);
        return (int)taken == 1 ? new StreamLease(redis, key, leaseId, options.StreamLease, logger) : null;
    }

    /// <summary>A held slot: renewed every third of the lease while held, removed on dispose (or left to expire if Redis is gone).</summary>
    private sealed class StreamLease : IAsyncDisposable
    {
        private readonly IConnectionMultiplexer _redis;
        private readonly RedisKey _key;
        private readonly string _leaseId;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _renewal;
        private int _disposed;

        public StreamLease(IConnectionMultiplexer redis, RedisKey key, string leaseId, TimeSpan lease, ILogger logger)
        {
            _redis = redis;
            _key = key;
            _leaseId = leaseId;
            _renewal = RenewAsync(lease, logger);
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1)
            {
                return;
            }

            await _stop.CancelAsync();
            await _renewal;
            _stop.Dispose();
            try
            {
                await _redis.GetDatabase().SortedSetRemoveAsync(_key, _leaseId);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
            {
                // Redis is unreachable: the lease expires on its own, which is what leases are for.
            }
        }

        private async Task RenewAsync(TimeSpan lease, ILogger logger)
        {
            using var timer = new PeriodicTimer(lease / 3);
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token))
                {
                    try
                    {
                        var renewed = await _redis.GetDatabase().ScriptEvaluateAsync(
                            RedisRateLimitScripts.RenewStream, [_key], [_leaseId, (long)lease.TotalMilliseconds]);
                        if ((int)renewed == 0)
                        {
                            logger.LogWarning("A stream slot lease expired before it was renewed; the stream goes on without a slot");
                            return;
                        }
                    }
                    catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
                    {
                        // Try again on the next tick; if Redis stays away the lease simply expires.
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
