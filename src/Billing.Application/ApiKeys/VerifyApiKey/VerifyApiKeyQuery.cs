using Billing.Application.Abstractions.Messaging;
using Billing.Application.Abstractions.RateLimiting;
using Billing.Domain.ApiKeys;
using Billing.Domain.Catalog;
using Billing.Domain.Common;

namespace Billing.Application.ApiKeys.VerifyApiKey;

/// <summary>
/// Checks a presented key (offline format and checksum first, then the cached directory) and, when valid, takes one request
/// from its owner's rate limit. A query in the CQRS sense: it changes no row (last use is written in batches elsewhere).
/// </summary>
public sealed record VerifyApiKeyQuery(string? Key) : IQuery<VerifyApiKeyResult>
{
    /// <summary>Never the plaintext.</summary>
    public override string ToString() => $"VerifyApiKeyQuery {{ Key = {(Key is null ? "null" : ApiKeySecret.Mask(Key))} }}";
}

public enum VerifyCode
{
    Valid,
    Malformed,
    NotFound,
    Revoked,
    Expired,
    RateLimited,
}

public sealed record VerifyApiKeyResult(
    VerifyCode Code,
    ApiKeyId? KeyId,
    UserId? OwnerId,
    ApiKeyMode? Mode,
    DeveloperTier? Tier,
    RateLimitPolicy? Policy,
    RateLimitDecision? Decision)
{
    public bool IsValid => Code == VerifyCode.Valid;

    /// <summary>The key exists and is usable (valid or only rate limited).</summary>
    public bool IsAuthenticated => Code is VerifyCode.Valid or VerifyCode.RateLimited;

    public static VerifyApiKeyResult Refused(VerifyCode code) => new(code, null, null, null, null, null, null);
}
