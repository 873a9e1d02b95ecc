namespace Billing.Application.Abstractions.RateLimiting;

/// <summary>
/// The per-owner limits of the developer relay. A token bucket per subject (the key owner): capacity is the per-minute
/// limit, refilled continuously, so a burst of 2×L admits L. Implementations: in-process (one instance) and Redis
/// (shared by every instance); either answers in one atomic step per decision.
/// </summary>
public interface IRequestRateLimiter
{
    /// <summary>Takes one request from the subject's bucket, or refuses it without taking anything.</summary>
    ValueTask<RateLimitDecision> TryAcquireAsync(string subject, RateLimitPolicy policy, CancellationToken cancellationToken);

    /// <summary>
    /// Takes one of the subject's concurrent-stream slots; <c>null</c> when all <see cref="RateLimitPolicy.ConcurrentStreams"/>
    /// are held. Disposing the lease gives the slot back.
    /// </summary>
    ValueTask<IAsyncDisposable?> TryAcquireStreamAsync(string subject, RateLimitPolicy policy, CancellationToken cancellationToken);
}
