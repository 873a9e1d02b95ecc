using System.Text.Json;

namespace Billing.Application.Abstractions.Flash;

/// <summary>One item of a FastAPI/Pydantic 422 body: <c>{"type","loc","msg",...}</c>.</summary>
public sealed record FlashValidationIssue(string Location, string Message, string? Type);

/// <summary>
/// An error answer from Flash. Flash has four body shapes (contract §1.4): route errors <c>{"error":..., "detail":null}</c>,
/// edge middleware 403s <c>{"error":...}</c>, Pydantic 422s <c>{"detail":[...]}</c>, and Starlette 404/405
/// <c>{"detail":"Not Found"}</c>. Anything else (a proxy's HTML page) keeps a short excerpt in <see cref="Detail"/>.
/// </summary>
public sealed record FlashError(int StatusCode, string? Error, string? Detail, IReadOnlyList<FlashValidationIssue> ValidationIssues)
{
    private const int MaxExcerptLength = 200;

    /// <summary>The best single human-readable message: <c>error</c> first, then <c>detail</c>, then the 422 messages.</summary>
    public string Message =>
        Error
        ?? Detail
        ?? (ValidationIssues.Count > 0
            ? string.Join("; ", ValidationIssues.Select(issue => $"{issue.Location}: {issue.Message}"))
            : $"HTTP {StatusCode}");

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
