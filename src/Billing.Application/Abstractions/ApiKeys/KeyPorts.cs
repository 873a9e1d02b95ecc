using Billing.Application.Abstractions.RateLimiting;
using Billing.Domain.ApiKeys;
using Billing.Domain.Catalog;
using Billing.Domain.Common;

namespace Billing.Application.Abstractions.ApiKeys;

/// <summary>What verification needs to know about a stored key; never its hash or plaintext.</summary>
public sealed record StoredKey(ApiKeyId Id, UserId OwnerId, ApiKeyMode Mode, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt)
{
    public ApiKeyStatus StatusAt(DateTimeOffset now) =>
        RevokedAt is not null ? ApiKeyStatus.Revoked
        : ExpiresAt is { } expiry && expiry <= now ? ApiKeyStatus.Expired
        : ApiKeyStatus.Active;
}

/// <summary>
/// Finds keys by the SHA-256 of their plaintext. The implementation caches per instance and drops an entry on every
/// instance within a second of a revocation or a changed expiry.
/// </summary>
public interface IApiKeyDirectory
{
    ValueTask<StoredKey?> FindByHashAsync(byte[] keyHash, CancellationToken cancellationToken);
}

/// <summary>The owner's developer tier (best active subscription across Stripe and Apple, else free); a change is seen within 5 s.</summary>
public interface IDeveloperTierLookup
{
    ValueTask<DeveloperTier> GetTierAsync(UserId owner, CancellationToken cancellationToken);
}

/// <summary>The configured limits of each developer tier.</summary>
public interface IDeveloperLimits
{
    RateLimitPolicy For(DeveloperTier tier);
}

/// <summary>Notes that a key was used; written to storage in batches, never on the request path.</summary>
public interface IApiKeyUsageTracker
{
    void MarkUsed(ApiKeyId keyId, DateTimeOffset at);
}

/// <summary>Serialises key creation per owner inside the current transaction, so the per-user limit holds under concurrency.</summary>
public interface IApiKeyOwnerLock
{
    Task LockAsync(UserId owner, CancellationToken cancellationToken);
}

/// <summary>KEYS_MAX_PER_USER: active keys a user may hold at once.</summary>
public sealed record ApiKeyOptions(int MaxActivePerUser);
