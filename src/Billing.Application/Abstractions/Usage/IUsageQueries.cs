namespace Billing.Application.Abstractions.Usage;

/// <summary>Reads metered usage in time buckets (aggregated in the database, from the partitioned usage table).</summary>
public interface IUsageQueries
{
    /// <summary>
    /// The owner's usage in [<paramref name="from"/>, <paramref name="to"/>) (whole UTC hours), one bucket per (UTC hour or day, key) that
    /// has any call, ordered by start then key.
    /// </summary>
    Task<IReadOnlyList<UsageBucket>> GetBucketsAsync(
        string ownerUserId,
        string? keyId,
        DateTimeOffset from,
        DateTimeOffset to,
        UsageGranularity granularity,
        CancellationToken cancellationToken);
}

public enum UsageGranularity
{
    Hour,
    Day,
}

/// <summary>
/// One bucket: every call counts in <see cref="Requests"/> and in exactly one of succeeded (a status below 400),
/// failed (400 and above) or rate limited (refused by the limiter).
/// </summary>
public sealed record UsageBucket(DateTimeOffset Start, string KeyId, long Requests, long Succeeded, long Failed, long RateLimited, long Credits);
