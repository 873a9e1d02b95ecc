using System.Collections.Concurrent;
using Billing.Application.Abstractions.RateLimiting;

namespace Billing.Infrastructure.RateLimiting;

/// <summary>
/// The single-instance limiter: a token bucket per subject (capacity L, refilled continuously at L per minute, so a burst of
/// 2×L admits L) and a counter of concurrent streams. Each decision is one short lock on the subject's own state.
/// Idle buckets are swept so the map cannot grow without bound.
/// </summary>
internal sealed class InProcessRequestRateLimiter(TimeProvider clock) : IRequestRateLimiter
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private const int SweepEvery = 4096;

    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StreamSlots> _streams = new(StringComparer.Ordinal);
    private int _decisions;

    public ValueTask<RateLimitDecision> TryAcquireAsync(string subject, RateLimitPolicy policy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(policy);
        var now = clock.GetTimestamp();
        if (Interlocked.Increment(ref _decisions) % SweepEvery == 0)
        {
            Sweep(now);
        }

        var bucket = _buckets.GetOrAdd(subject, static (_, state) => new Bucket(state.Limit, state.Now), (Limit: policy.RequestsPerMinute, Now: now));
        return ValueTask.FromResult(bucket.TryTake(policy.RequestsPerMinute, now, clock.TimestampFrequency));
    }

    public ValueTask<IAsyncDisposable?> TryAcquireStreamAsync(string subject, RateLimitPolicy policy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(policy);
        var slots = _streams.GetOrAdd(subject, static _ => new StreamSlots());
        return ValueTask.FromResult<IAsyncDisposable?>(slots.TryTake(policy.ConcurrentStreams) ? new StreamLease(slots) : null);
    }

    private void Sweep(long now)
    {
        foreach (var (subject, bucket) in _buckets)
        {
            if (bucket.IsFullAndIdle(now, clock.TimestampFrequency))
            {
                _buckets.TryRemove(KeyValuePair.Create(subject, bucket));
            }
        }
    }

    private sealed class Bucket(int capacity, long now)
    {
        private readonly Lock _gate = new();
        private double _tokens = capacity;
        private long _updated = now;
        private int _capacity = capacity;

        public RateLimitDecision TryTake(int limit, long now, long frequency)
        {
            lock (_gate)
            {
                // A tier change resizes the bucket; what was used stays used.
                if (limit != _capacity)
                {
                    _tokens = Math.Clamp(_tokens + (limit - _capacity), 0, limit);
                    _capacity = limit;
                }

                var perSecond = limit / Window.TotalSeconds;
                var elapsed = Math.Max(0, now - _updated) / (double)frequency;
                _tokens = Math.Min(limit, _tokens + (elapsed * perSecond));
                _updated = now;

                var allowed = _tokens >= 1;
                if (allowed)
                {
                    _tokens -= 1;
                }

                var remaining = (int)Math.Floor(_tokens);
                var reset = (int)Math.Ceiling((limit - _tokens) / perSecond);
                var retryAfter = allowed ? 0 : Math.Max(1, (int)Math.Ceiling((1 - _tokens) / perSecond));
                return new RateLimitDecision(allowed, limit, Math.Max(0, remaining), Math.Max(0, reset), retryAfter);
            }
        }

        public bool IsFullAndIdle(long now, long frequency)
        {
            lock (_gate)
            {
                return (now - _updated) / (double)frequency > Window.TotalSeconds * 2;
            }
        }
    }

    private sealed class StreamSlots
    {
        private int _held;

        public bool TryTake(int max)
        {
            while (true)
            {
                var held = Volatile.Read(ref _held);
                if (held >= max)
                {
                    return false;
                }

                if (Interlocked.CompareExchange(ref _held, held + 1, held) == held)
                {
                    return true;
                }
            }
        }

        public void Give() => Interlocked.Decrement(ref _held);
    }

    private sealed class StreamLease(StreamSlots slots) : IAsyncDisposable
    {
        private int _disposed;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                slots.Give();
            }

            return ValueTask.CompletedTask;
        }
    }
}
