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

internal sealed record HistoryRow(int? Amount, int? BalanceAfter, string? Type, string? Description, DateTimeOffset? CreatedAt);

internal sealed record CreditsGrantRequest(string UserId, int Amount, string TransactionType, string Description);

internal sealed record CreditsSpendRequest(string UserId, int Cost, string TransactionType, string Description);

internal sealed record CreditsCheckRequest(string UserId, int Cost);
