using Billing.Application.Abstractions.RateLimiting;
using Microsoft.Extensions.Logging;

namespace Billing.Infrastructure.RateLimiting;

/// <summary>
/// A billing outage must not stop paying customers: when the shared limiter fails (Redis unreachable, slow, erroring),
/// decisions come from the in-process fallback. The outage is logged once when it starts and once when it ends; while
/// it lasts, one decision per probe interval tries the shared limiter again and the others go straight to the fallback,
/// so requests do not each pay for a failing round trip.
/// </summary>
public sealed class FailOpenRequestRateLimiter(
    IRequestRateLimiter primary,
    IRequestRateLimiter fallback,
    TimeSpan probeInterval,
    TimeProvider time,
    ILogger<FailOpenRequestRateLimiter> logger)
    : IRequestRateLimiter
{
    private long _outageStartedAt = Healthy;
    private long _nextProbeAt;

    private const long Healthy = long.MinValue;

    /// <summary>True while decisions come from the fallback.</summary>
    public bool InOutage => Interlocked.Read(ref _outageStartedAt) != Healthy;

    public async ValueTask<RateLimitDecision> TryAcquireAsync(string subject, RateLimitPolicy policy, CancellationToken cancellationToken)
    {
        if (ShouldUsePrimary())
        {
            try
            {
                var decision = await primary.TryAcquireAsync(subject, policy, cancellationToken);
                MarkHealthy();
                return decision;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                MarkFailed(ex);
            }
        }

        return await fallback.TryAcquireAsync(subject, policy, cancellationToken);
    }

    public async ValueTask<IAsyncDisposable?> TryAcquireStreamAsync(string subject, RateLimitPolicy policy, CancellationToken cancellationToken)
    {
        if (ShouldUsePrimary())
        {
            try
            {
                var lease = await primary.TryAcquireStreamAsync(subject, policy, cancellationToken);
                MarkHealthy();
                return lease;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                MarkFailed(ex);
            }
        }

        return await fallback.TryAcquireStreamAsync(subject, policy, cancellationToken);
    }

    private bool ShouldUsePrimary()
    {
        if (!InOutage)
        {
            return true;
        }

        // One caller per interval wins the probe; everyone else decides in-process without waiting.
        var now = time.GetTimestamp();
        var next = Interlocked.Read(ref _nextProbeAt);
        return now >= next && Interlocked.CompareExchange(ref _nextProbeAt, now + ProbeTicks, next) == next;
    }

    private long ProbeTicks => (long)(probeInterval.TotalSeconds * time.TimestampFrequency);

    private void MarkFailed(Exception ex)
    {
        var now = time.GetTimestamp();
        Interlocked.Exchange(ref _nextProbeAt, now + ProbeTicks);
        if (Interlocked.CompareExchange(ref _outageStartedAt, now, Healthy) == Healthy)
        {
            logger.LogWarning(
                "Shared rate limiter unavailable ({ExceptionType}: {Message}); failing open to in-process limits until it answers again",
                ex.GetType().Name,
                ex.Message);
        }
    }

    private void MarkHealthy()
    {
        var startedAt = Interlocked.Exchange(ref _outageStartedAt, Healthy);
        if (startedAt != Healthy)
        {
            logger.LogWarning("Shared rate limiter is back after {Seconds:0.0} s; limits are shared again", time.GetElapsedTime(startedAt).TotalSeconds);
        }
    }
}
