using System.Globalization;
using System.Text.Json;

namespace Billing.Infrastructure.Stripe;

/// <summary>
/// Lenient field access over Stripe JSON: unknown fields are ignored and a field of an unexpected kind reads as
/// absent, because Stripe adds, renames and moves fields between API versions.
/// </summary>
internal static class StripeJsonReader
{
    public static JsonElement? Child(this JsonElement element, string name)
    {
        if (element.ValueKind == JsonValueKind.Object
            && element.TryGetProperty(name, out var value)
            && value.ValueKind != JsonValueKind.Null
            && value.ValueKind != JsonValueKind.Undefined)
        {
            return value;
        }

        return null;
    }

    public static JsonElement? Path(this JsonElement element, params ReadOnlySpan<string> names)
    {
        JsonElement? current = element;
        foreach (var name in names)
        {
            current = current?.Child(name);
            if (current is null)
            {
                return null;
            }
        }

        return current;
    }

    public static string? String(this JsonElement element, string name) =>
        element.Child(name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    public static long? Long(this JsonElement element, string name)
    {
        if (element.Child(name) is not { } value)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number))
        {
            return number;
        }

        return value.ValueKind == JsonValueKind.String
            && long.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed)
            ? parsed
            : null;
    }

    public static bool? Bool(this JsonElement element, string name) =>
        element.Child(name) switch
        {
            { ValueKind: JsonValueKind.True } => true,
            { ValueKind: JsonValueKind.False } => false,
            _ => null,
        };
}
