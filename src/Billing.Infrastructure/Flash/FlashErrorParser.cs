using System.Text.Json;
using Billing.Application.Abstractions.Flash;

namespace Billing.Infrastructure.Flash;

/// <summary>Reads a Flash error body (the four shapes of contract §1.4, or anything else) into a <see cref="FlashError"/>.</summary>
internal static class FlashErrorParser
{
    private const int MaxExcerptLength = 200;

    public static FlashError Parse(int statusCode, string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return new FlashError(statusCode, null, null, []);
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return new FlashError(statusCode, null, Excerpt(body), []);
            }

            var root = document.RootElement;
            var error = root.TryGetProperty("error", out var errorElement) ? AsText(errorElement) : null;
            string? detail = null;
            IReadOnlyList<FlashValidationIssue> issues = [];
            if (root.TryGetProperty("detail", out var detailElement))
            {
                if (detailElement.ValueKind == JsonValueKind.Array)
                {
                    issues = ParseIssues(detailElement);
                }
                else
                {
                    detail = AsText(detailElement);
                }
            }

            return new FlashError(statusCode, error, detail, issues);
        }
        catch (JsonException)
        {
            return new FlashError(statusCode, null, Excerpt(body), []);
        }
    }

    private static List<FlashValidationIssue> ParseIssues(JsonElement array)
    {
        var issues = new List<FlashValidationIssue>();
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                issues.Add(new FlashValidationIssue(string.Empty, AsText(item) ?? string.Empty, null));
                continue;
            }

            var location = item.TryGetProperty("loc", out var loc) && loc.ValueKind == JsonValueKind.Array
                ? string.Join(".", loc.EnumerateArray().Select(part => AsText(part) ?? string.Empty))
                : string.Empty;
            var message = item.TryGetProperty("msg", out var msg) ? AsText(msg) ?? string.Empty : string.Empty;
            var type = item.TryGetProperty("type", out var typeElement) ? AsText(typeElement) : null;
            issues.Add(new FlashValidationIssue(location, message, type));
        }

        return issues;
    }

    private static string? AsText(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => element.GetRawText(),
    };

    private static string Excerpt(string body)
    {
        var trimmed = body.Trim();
        return trimmed.Length <= MaxExcerptLength ? trimmed : trimmed[..MaxExcerptLength];
    }
}
