using System.Globalization;
using System.Text.Json;

namespace Billing.Infrastructure.Flash;

/// <summary>Wire shapes of Flash's JSON (snake_case). Kept internal: the port exposes its own records.</summary>
internal static class FlashJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    /// <summary>Reads a body, or returns null when it is not the expected shape (the caller decides what that means).</summary>
    public static T? TryDeserialize<T>(byte[] body)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(body, Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Reads an ISO-8601 timestamp. Flash writes naive timestamps (no offset) that are UTC; they are read as UTC, never in this
    /// machine's local time zone (an offset, when present, is kept).
    /// </summary>
    public static bool TryParseTimestamp(string? text, out DateTimeOffset value) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);

    public static JsonElement? TryParseElement(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

internal sealed record ResolveUserRequest(string ExternalId, string? Email, string? DisplayName);

internal sealed record ResolveUserResponse(string? UserId, bool? Created);

internal sealed record AdminGrantRequest(string UserId, int Amount, string TransactionType, string Description);

internal sealed record AdminGrantResponse(int? Balance, int? Granted);

internal sealed record BalanceResponse(int? Balance, int? LifetimeEarned, int? LifetimeSpent);

/// <summary>One history row; <see cref="CreatedAt"/> is kept as text so a naive timestamp is read as UTC (<see cref="FlashJson.TryParseTimestamp"/>).</summary>
internal sealed record HistoryRow(int? Amount, int? BalanceAfter, string? Type, string? Description, string? CreatedAt);

internal sealed record CreditsGrantRequest(string UserId, int Amount, string TransactionType, string Description);

internal sealed record CreditsSpendRequest(string UserId, int Cost, string TransactionType, string Description);

