using System.Collections;
using System.Globalization;
using System.Text;

namespace Billing.Infrastructure.Stripe;

/// <summary>
/// A list sent as <c>key[]=a&amp;key[]=b</c> (Stripe's documented form for <c>expand</c>) instead of indexed
/// <c>key[0]=a&amp;key[1]=b</c>. Stripe accepts both.
/// </summary>
internal sealed record StripeFormUnindexedList(IReadOnlyList<string> Values);

/// <summary>
/// Flattens nested parameters into Stripe's <c>application/x-www-form-urlencoded</c> dialect:
/// nested objects as <c>parent[child]</c>, lists as <c>list[0]</c>, empty list as <c>list=</c>,
/// booleans as <c>true</c>/<c>false</c>, numbers in invariant culture, <see cref="DateTimeOffset"/> as Unix seconds.
/// Null values are skipped (send <c>""</c> to unset a metadata key).
/// </summary>
internal static class StripeFormEncoder
{
    public static IReadOnlyList<KeyValuePair<string, string>> Flatten(
        IEnumerable<KeyValuePair<string, object?>> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var result = new List<KeyValuePair<string, string>>();
        foreach (var (key, value) in parameters)
        {
            ValidateKey(key);
            FlattenValue(key, value, result);
        }

        return result;
    }

    public static string Encode(IEnumerable<KeyValuePair<string, object?>> parameters) => EncodeFlattened(Flatten(parameters));

    public static string EncodeFlattened(IEnumerable<KeyValuePair<string, string>> flattened)
    {
        var builder = new StringBuilder();
        foreach (var (key, value) in flattened)
        {
            if (builder.Length > 0)
            {
                builder.Append('&');
            }

            builder.Append(EncodeKey(key)).Append('=').Append(Uri.EscapeDataString(value));
        }

        return builder.ToString();
    }

    /// <summary>Brackets stay literal (Stripe accepts them and logs become readable); everything else is escaped.</summary>
    private static string EncodeKey(string key) =>
        Uri.EscapeDataString(key).Replace("%5B", "[", StringComparison.Ordinal).Replace("%5D", "]", StringComparison.Ordinal);

    private static void FlattenValue(string key, object? value, List<KeyValuePair<string, string>> result)
    {
        switch (value)
        {
            case null:
                return;
            case string text:
                result.Add(new(key, text));
                return;
            case bool flag:
                result.Add(new(key, flag ? "true" : "false"));
                return;
            case DateTimeOffset timestamp:
                result.Add(new(key, timestamp.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)));
                return;
            case DateTime:
                throw new ArgumentException($"Pass '{key}' as a DateTimeOffset: a DateTime's offset is ambiguous.");
            case Enum:
                throw new ArgumentException($"Pass '{key}' as its Stripe string value, not an enum.");
            case IFormattable number:
                result.Add(new(key, number.ToString(null, CultureInfo.InvariantCulture)));
                return;
            case StripeFormUnindexedList list:
                if (list.Values.Count == 0)
                {
                    result.Add(new(key, string.Empty));
                }

                foreach (var item in list.Values)
                {
                    result.Add(new($"{key}[]", item));
                }

                return;
            case IEnumerable<KeyValuePair<string, string>> stringMap:
                FlattenMap(key, stringMap.Select(pair => new KeyValuePair<string, object?>(pair.Key, pair.Value)), result);
                return;
            case IEnumerable<KeyValuePair<string, object?>> map:
                FlattenMap(key, map, result);
                return;
            case IEnumerable items:
                FlattenList(key, items, result);
                return;
            default:
                throw new ArgumentException($"Cannot form-encode '{key}' of type {value.GetType().Name}.");
        }
    }

    private static void FlattenMap(
        string key, IEnumerable<KeyValuePair<string, object?>> map, List<KeyValuePair<string, string>> result)
    {
        var any = false;
        foreach (var (childKey, childValue) in map)
        {
            ValidateKey(childKey);
            any = true;
            FlattenValue($"{key}[{childKey}]", childValue, result);
        }

        if (!any)
        {
            // Stripe reads "metadata=" as "clear every key"; callers omit empty maps unless they mean that.
            result.Add(new(key, string.Empty));
        }
    }

    private static void FlattenList(string key, IEnumerable items, List<KeyValuePair<string, string>> result)
    {
        var index = 0;
        foreach (var item in items)
        {
            FlattenValue(string.Create(CultureInfo.InvariantCulture, $"{key}[{index}]"), item, result);
            index++;
        }

        if (index == 0)
        {
            result.Add(new(key, string.Empty));
        }
    }

    private static void ValidateKey(string key)
    {
        // Brackets inside a key would be read by Stripe as nesting (Stripe forbids them in metadata keys).
        if (string.IsNullOrEmpty(key) || key.Contains('[', StringComparison.Ordinal) || key.Contains(']', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Invalid Stripe parameter key '{key}': keys must be non-empty and free of brackets.");
        }
    }
}
