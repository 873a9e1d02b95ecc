namespace Billing.Application.Abstractions.Usage;

/// <summary>One relayed developer call, metered. <see cref="RequestId"/> makes recording it idempotent.</summary>
public sealed record UsageEvent(
    string RequestId,
    string KeyId,
    string OwnerUserId,
    string Route,
    int HttpStatus,
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    long BytesOut,
    int Credits,
    bool RateLimited);
