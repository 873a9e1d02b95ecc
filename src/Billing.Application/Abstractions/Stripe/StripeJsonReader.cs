using System.Globalization;
using System.Text.Json;

namespace Billing.Application.Abstractions.Stripe;

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

    public static DateTimeOffset? Timestamp(this JsonElement element, string name) =>
        element.Long(name) is { } seconds ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;

    /// <summary>Reads a reference that is an id string, or an object carrying <c>id</c> when expanded.</summary>
    public static string? Id(this JsonElement element, string name) =>
        element.Child(name) switch
        {
            { ValueKind: JsonValueKind.String } value => value.GetString(),
            { ValueKind: JsonValueKind.Object } value => value.String("id"),
            _ => null,
        };

    public static IReadOnlyDictionary<string, string> Metadata(this JsonElement element, string name = "metadata")
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (element.Child(name) is { ValueKind: JsonValueKind.Object } metadata)
        {
            foreach (var property in metadata.EnumerateObject())
            {
                // Metadata values are strings; render anything else raw rather than failing.
                result[property.Name] = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString() ?? string.Empty,
                    JsonValueKind.Null => string.Empty,
                    _ => property.Value.GetRawText(),
                };
            }
        }

        return result;
    }

    /// <summary>Items of a Stripe list object (<c>{"object":"list","data":[…]}</c>) or of a bare array.</summary>
    public static IEnumerable<JsonElement> ListItems(this JsonElement element, string name)
    {
        var list = element.Child(name);
        var array = list switch
        {
            { ValueKind: JsonValueKind.Array } bare => bare,
            { ValueKind: JsonValueKind.Object } wrapped when wrapped.Child("data") is { ValueKind: JsonValueKind.Array } data => data,
            _ => (JsonElement?)null,
        };

        if (array is null)
        {
            return [];
        }

        return array.Value.EnumerateArray().Where(item => item.ValueKind == JsonValueKind.Object).ToArray();
    }

    public static JsonElement? FirstListItem(this JsonElement element, string name)
    {
        foreach (var item in element.ListItems(name))
        {
            return item;
        }

        return null;
    }

    public static string RequiredId(this JsonElement element, string objectName)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new StripeObjectFormatException($"Expected a JSON object for a Stripe {objectName}.");
        }

        return element.String("id")
            ?? throw new StripeObjectFormatException($"The Stripe {objectName} has no 'id'.");
    }
}
