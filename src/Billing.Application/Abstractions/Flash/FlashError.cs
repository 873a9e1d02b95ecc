namespace Billing.Application.Abstractions.Flash;

/// <summary>One item of a FastAPI/Pydantic 422 body: <c>{"type","loc","msg",...}</c>.</summary>
public sealed record FlashValidationIssue(string Location, string Message, string? Type);

/// <summary>
/// An error answer from Flash. Flash has four body shapes (contract §1.4): route errors <c>{"error":..., "detail":null}</c>,
/// edge middleware 403s <c>{"error":...}</c>, Pydantic 422s <c>{"detail":[...]}</c>, and Starlette 404/405
/// <c>{"detail":"Not Found"}</c>. Anything else (a proxy's HTML page) keeps a short excerpt in <see cref="Detail"/>.
/// Read from the wire by Infrastructure's <c>FlashErrorParser</c>; this is the plain record the Application sees.
/// </summary>
public sealed record FlashError(int StatusCode, string? Error, string? Detail, IReadOnlyList<FlashValidationIssue> ValidationIssues)
{
    /// <summary>The best single human-readable message: <c>error</c> first, then <c>detail</c>, then the 422 messages.</summary>
    public string Message =>
        Error
        ?? Detail
        ?? (ValidationIssues.Count > 0
            ? string.Join("; ", ValidationIssues.Select(issue => $"{issue.Location}: {issue.Message}"))
            : $"HTTP {StatusCode}");
}
