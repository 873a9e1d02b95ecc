namespace Billing.Application.Abstractions.RateLimiting;

/// <summary>The limits of one developer tier: requests per rolling minute (token bucket capacity) and concurrent streams.</summary>
public sealed record RateLimitPolicy(string Tier, int RequestsPerMinute, int ConcurrentStreams);
