using System.Text.Json;

namespace Billing.Infrastructure.Apple;

/// <summary>
/// Strict field readers over Apple payload JSON: a missing or null field is null, a field of the wrong JSON type
/// is refused (e.g. <c>"price":"4.99"</c>). Timestamps are epoch milliseconds, possibly fractional (Xcode): truncated.
/// </summary>
internal static class AppleJsonReader
{
    // DateTimeOffset's range in epoch milliseconds.
    private const long MinEpochMilliseconds = -62_135_596_800_000;
    private const long MaxEpochMilliseconds = 253_402_300_799_999;

    public static JsonElement? Object(JsonElement parent, string name)
    {
        if (!TryGet(parent, name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Object ? value : throw WrongType(name);
    }

    public static string? String(JsonElement parent, string name)
    {
        if (!TryGet(parent, name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw WrongType(name);
    }

    public static long? Int64(JsonElement parent, string name)
    {
        if (!TryGet(parent, name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : throw WrongType(name);
    }

    public static int? Int32(JsonElement parent, string name)
    {
        if (!TryGet(parent, name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : throw WrongType(name);
    }

    public static bool? Boolean(JsonElement parent, string name)
    {
        if (!TryGet(parent, name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw WrongType(name),
        };
    }

    public static Guid? Uuid(JsonElement parent, string name)
    {
        var text = String(parent, name);
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return Guid.TryParse(text, out var uuid) ? uuid : throw WrongType(name);
    }

    public static DateTimeOffset? Date(JsonElement parent, string name)
    {
        if (!TryGet(parent, name, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            throw WrongType(name);
        }

        long milliseconds;
        if (!value.TryGetInt64(out milliseconds))
        {
            var fractional = value.GetDouble();
            if (!double.IsFinite(fractional) || fractional < MinEpochMilliseconds || fractional > MaxEpochMilliseconds)
            {
                throw WrongType(name);
            }

            milliseconds = (long)Math.Truncate(fractional);
        }

        if (milliseconds is < MinEpochMilliseconds or > MaxEpochMilliseconds)
        {
            throw WrongType(name);
        }

        return DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
    }

    private static bool TryGet(JsonElement parent, string name, out JsonElement value) =>
        parent.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    private static ApplePayloadFormatException WrongType(string name) => new(name);
}

/// <summary>A payload field had the wrong JSON type or an impossible value. The message names the field, never its content.</summary>
internal sealed class ApplePayloadFormatException : Exception
{
    public ApplePayloadFormatException(string fieldName)
        : base($"payload field '{fieldName}' has an unexpected type or value")
    {
        FieldName = fieldName;
    }

    public ApplePayloadFormatException()
    {
        FieldName = string.Empty;
    }

    public ApplePayloadFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        FieldName = string.Empty;
    }

    public string FieldName { get; }
}
