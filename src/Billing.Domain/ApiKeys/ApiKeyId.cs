using System.Security.Cryptography;
using Billing.Domain.Common;

namespace Billing.Domain.ApiKeys;

/// <summary><c>key_</c> + 24 random base62 characters: public, safe to show, and not guessable.</summary>
public readonly record struct ApiKeyId
{
    public const string Prefix = "key_";
    public const int MaxLength = 40;

    private ApiKeyId(string value) => Value = value;

    public string Value { get; }

    public static ApiKeyId New() => new(Prefix + RandomNumberGenerator.GetString(ApiKeySecret.Alphabet, 24));

    /// <summary>For ids read back from storage or a route; a malformed id is simply one that exists nowhere.</summary>
    public static bool TryFrom(string? value, out ApiKeyId id)
    {
        if (value is { Length: > 4 and <= MaxLength } && value.StartsWith(Prefix, StringComparison.Ordinal) && value.AsSpan(Prefix.Length).IndexOfAnyExcept(ApiKeySecret.Alphabet) < 0)
        {
            id = new ApiKeyId(value);
            return true;
        }

        id = default;
        return false;
    }

    public static ApiKeyId From(string value) => TryFrom(value, out var id)
        ? id
        : throw new InvalidDomainValueException("api_key.id_invalid", "The key id is not valid.");

    public override string ToString() => Value;
}
