using Billing.Domain.ApiKeys;

namespace Billing.Application.ApiKeys;

/// <summary>A newly issued key: the only answer that ever carries the plaintext.</summary>
public sealed record CreatedApiKeyResponse(string Id, string Key, string Name, string Mode, string Display, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt)
{
    internal static CreatedApiKeyResponse From(ApiKey key, ApiKeySecret secret) =>
        new(key.Id.Value, secret.Value, key.Name, key.Mode.ToWire(), key.Display, key.CreatedAt, key.ExpiresAt);

    /// <summary>Never the plaintext, should this record reach a log.</summary>
    public override string ToString() => $"CreatedApiKeyResponse {{ Id = {Id}, Display = {Display} }}";
}

public sealed record ApiKeyListResponse(IReadOnlyList<ApiKeyView> Keys);

public sealed record ApiKeyView(
    string Id,
    string Name,
    string Mode,
    string Display,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastUsedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt);

internal static class ApiKeyLookup
{
    /// <summary>The owner's key by id; another user's key or an unknown id are the same 404, so nobody learns a key exists.</summary>
    public static Common.NotFoundException NotFound() => new("api_key.not_found", "No such key.");
}
