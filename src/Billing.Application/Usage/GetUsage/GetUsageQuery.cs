using Billing.Application.Abstractions.Messaging;

namespace Billing.Application.Usage.GetUsage;

/// <summary>
/// A user's metered developer calls in hour or day buckets (UTC). <see cref="From"/> and <see cref="To"/> are ISO 8601
/// timestamps (a bare date means midnight UTC), widened to whole buckets; the defaults are the last 24 hours (hour) or
/// the last 30 days (day). <see cref="KeyId"/> narrows to one of the user's keys. The raw strings are validated here so a
/// malformed value is a 400 with the field named.
/// </summary>
public sealed record GetUsageQuery(string UserId, string? From, string? To, string? Granularity, string? KeyId) : IQuery<UsageResponse>;

public sealed record UsageResponse(IReadOnlyList<UsageBucketResponse> Buckets);

public sealed record UsageBucketResponse(DateTimeOffset Start, string KeyId, long Requests, long Succeeded, long Failed, long RateLimited, long Credits);
