namespace Billing.Application.Abstractions.RateLimiting;

/// <summary>
/// One rate-limit decision, with what the IETF RateLimit headers need: the limit, what remains after this request,
/// seconds until the bucket is full again, and (when refused) seconds until one request would be admitted.
/// </summary>
public sealed record RateLimitDecision(bool Allowed, int Limit, int Remaining, int ResetSeconds, int RetryAfterSeconds);
