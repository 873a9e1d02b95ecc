using Billing.Domain.Common;

namespace Billing.Domain.ApiKeys;

public enum ApiKeyStatus
{
    Active,
    Revoked,
    Expired,
}

/// <summary>
/// A developer key. Holds only the SHA-256 of its plaintext. Revoking is final and idempotent; rolling issues a successor
/// (same owner, name and mode) and lets this key live on for a grace period of up to 7 days, so deployments can switch over.
/// </summary>
public sealed class ApiKey : AggregateRoot
{
    public const int MaxNameLength = 100;
    public const int HashLength = 32;
    public const int DefaultMaxActivePerUser = 10;
    public static readonly TimeSpan MaxRollGrace = TimeSpan.FromSeconds(604_800);

    private ApiKey()
    {
    }

    public ApiKeyId Id { get; private set; }

    public UserId OwnerId { get; private set; }

    public string Name { get; private set; } = "";

    public ApiKeyMode Mode { get; private set; }

    /// <summary>SHA-256 of the whole plaintext key.</summary>
    public byte[] KeyHash { get; private set; } = [];

    /// <summary>The plaintext's last four characters, for <see cref="Display"/>.</summary>
    public string LastFour { get; private set; } = "";

    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>Written in batches, so it lags real use by up to the flush interval.</summary>
    public DateTimeOffset? LastUsedAt { get; private set; }

    public DateTimeOffset? ExpiresAt { get; private set; }

    public DateTimeOffset? RevokedAt { get; private set; }

    /// <summary>Set once this key has been rolled: the successor's id.</summary>
    public ApiKeyId? ReplacedBy { get; private set; }

    public string Display => ApiKeySecret.PrefixOf(Mode) + "…" + LastFour;

    /// <summary>Creates a key and hands back its plaintext, which exists only in this return value.</summary>
    public static (ApiKey Key, ApiKeySecret Secret) Create(UserId owner, string name, ApiKeyMode mode, DateTimeOffset? expiresAt, DateTimeOffset now)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length == 0 || trimmed.Length > MaxNameLength || trimmed.Any(char.IsControl))
        {
            throw new InvalidDomainValueException("api_key.name_invalid", $"A key name has 1 to {MaxNameLength} characters and no control characters.");
        }

        if (!Enum.IsDefined(mode))
        {
            throw new InvalidDomainValueException("api_key.mode_invalid", "The mode is live or test.");
        }

        if (expiresAt is { } expiry && expiry <= now)
        {
            throw new InvalidDomainValueException("api_key.expiry_in_past", "expires_at must be in the future.");
        }

        var secret = ApiKeySecret.Generate(mode);
        var key = new ApiKey
        {
            Id = ApiKeyId.New(),
            OwnerId = owner,
            Name = trimmed,
            Mode = mode,
            KeyHash = secret.Hash(),
            LastFour = secret.LastFour,
            CreatedAt = now,
            ExpiresAt = expiresAt?.ToUniversalTime(),
        };
        return (key, secret);
    }

    public ApiKeyStatus StatusAt(DateTimeOffset now) =>
        RevokedAt is not null ? ApiKeyStatus.Revoked
        : ExpiresAt is { } expiry && expiry <= now ? ApiKeyStatus.Expired
        : ApiKeyStatus.Active;

    /// <summary>Counts towards the per-user limit: active and not already replaced by a roll.</summary>
    public bool CountsTowardsLimit(DateTimeOffset now) => StatusAt(now) == ApiKeyStatus.Active && ReplacedBy is null;

    /// <summary>Idempotent: revoking a revoked key changes nothing. An expired key can still be revoked (it becomes revoked).</summary>
    public void Revoke(DateTimeOffset now)
    {
        RevokedAt ??= now;
    }

    /// <summary>
    /// Issues the successor and schedules this key's end <paramref name="expireOldIn"/> from now (0: at once), never later than
    /// an expiry it already had. Only an active key that was not rolled before can be rolled.
    /// </summary>
    public (ApiKey Key, ApiKeySecret Secret) Roll(TimeSpan expireOldIn, DateTimeOffset now)
    {
        if (expireOldIn < TimeSpan.Zero || expireOldIn > MaxRollGrace)
        {
            throw new InvalidDomainValueException("api_key.roll_grace_invalid", "expire_old_in_seconds is between 0 and 604800.");
        }

        if (StatusAt(now) != ApiKeyStatus.Active)
        {
            throw new DomainException("api_key.not_active", "Only an active key can be rolled.");
        }

        if (ReplacedBy is not null)
        {
            throw new DomainException("api_key.already_rolled", "This key was already rolled; roll its successor instead.");
        }

        var successor = Create(OwnerId, Name, Mode, expiresAt: null, now);
        var end = now + expireOldIn;
        ExpiresAt = ExpiresAt is { } existing && existing < end ? existing : end;
        ReplacedBy = successor.Key.Id;
        return successor;
    }

    /// <summary>Storage-side touch (batched); never moves backwards.</summary>
    public void MarkUsed(DateTimeOffset at)
    {
        if (LastUsedAt is null || at > LastUsedAt)
        {
            LastUsedAt = at;
        }
    }
}
