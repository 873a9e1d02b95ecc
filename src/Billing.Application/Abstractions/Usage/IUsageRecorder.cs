namespace Billing.Application.Abstractions.Usage;

/// <summary>
/// Meters developer calls off the request path: <see cref="Record"/> never blocks on the database; events are written
/// in batches (at least every 250 ms and on shutdown), idempotent on the request id.
/// </summary>
public interface IUsageRecorder
{
    void Record(UsageEvent usage);
}
