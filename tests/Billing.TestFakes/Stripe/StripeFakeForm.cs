using System.Text.RegularExpressions;

namespace Billing.TestFakes.Stripe;

/// <summary>Parsed <c>application/x-www-form-urlencoded</c> body or query string, in Stripe's bracket dialect.</summary>
internal sealed partial class StripeFakeForm
{
    private readonly Dictionary<string, string> _last = new(StringComparer.Ordinal);

    private StripeFakeForm(IReadOnlyList<KeyValuePair<string, string>> pairs)
    {
        Pairs = pairs;
        foreach (var (key, value) in pairs)
        {
            _last[key] = value;
        }
    }

    public IReadOnlyList<KeyValuePair<string, string>> Pairs { get; }

    public static StripeFakeForm Empty { get; } = new([]);

    /// <summary>Parses and checks every key is <c>name([sub])*</c>; returns null with a reason otherwise.</summary>
    public static StripeFakeForm? TryParse(string text, out string? error)
    {
        error = null;
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var segment in text.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var separator = segment.IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0)
            {
                error = $"Malformed form segment '{Truncate(segment)}'.";
                return null;
            }

            var key = Decode(segment[..separator]);
            var value = Decode(segment[(separator + 1)..]);
            if (!KeyShape().IsMatch(key))
            {
                error = $"Invalid parameter name '{Truncate(key)}'.";
                return null;
            }

            pairs.Add(new(key, value));
        }

        return new StripeFakeForm(pairs);
    }

    public string? Get(string key) => _last.GetValueOrDefault(key);

    public bool Has(string key) => _last.ContainsKey(key);

    public bool HasPrefix(string root) =>
        Pairs.Any(pair => pair.Key == root || pair.Key.StartsWith(root + "[", StringComparison.Ordinal));

    /// <summary>Children <c>prefix[k]=v</c> as a map; an empty-string value means "unset" on updates.</summary>
    public Dictionary<string, string> Map(string prefix)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var start = prefix + "[";
        foreach (var (key, value) in Pairs)
        {
            if (key.StartsWith(start, StringComparison.Ordinal) && key.EndsWith(']') && key.IndexOf('[', start.Length) < 0)
            {
                result[key[start.Length..^1]] = value;
            }
        }

        return result;
    }

    /// <summary>Distinct indices <c>i</c> of <c>prefix[i]…</c>, ascending.</summary>
    public IReadOnlyList<int> Indices(string prefix)
    {
        var start = prefix + "[";
        var indices = new SortedSet<int>();
        foreach (var (key, _) in Pairs)
        {
            if (!key.StartsWith(start, StringComparison.Ordinal))
            {
                continue;
            }

            var close = key.IndexOf(']', start.Length);
            if (close > start.Length
                && int.TryParse(key.AsSpan(start.Length, close - start.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index))
            {
                indices.Add(index);
            }
        }

        return [.. indices];
    }

    /// <summary>Values of <c>key[]</c> and <c>key[i]</c> (both list forms Stripe accepts).</summary>
    public IReadOnlyList<string> List(string key)
    {
        var result = new List<string>();
        foreach (var (name, value) in Pairs)
        {
            if (name == key + "[]" || ListItemKey().IsMatch(name) && name.StartsWith(key + "[", StringComparison.Ordinal))
            {
                result.Add(value);
            }
        }

        return result;
    }

    /// <summary>Key with metadata names and list indices replaced, for matching against an allow-list.</summary>
    public static string Shape(string key) => Index().Replace(MetadataKey().Replace(key, "$1[*]"), "[#]");

    private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "…";

    [GeneratedRegex(@"^[A-Za-z0-9_]+(\[[^\[\]]*\])*$")]
    private static partial Regex KeyShape();

    [GeneratedRegex(@"^[A-Za-z0-9_]+\[\d+\]$")]
    private static partial Regex ListItemKey();

    // Matches both top-level "metadata[k]" and nested "…[metadata][k]".
    [GeneratedRegex(@"(metadata\]?)\[[^\]]*\]")]
    private static partial Regex MetadataKey();

    [GeneratedRegex(@"\[\d+\]")]
    private static partial Regex Index();
}
