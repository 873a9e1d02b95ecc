namespace Billing.Api.Developer;

/// <summary>
/// A refusal of the developer relay with its stable <see cref="Code"/> (key.missing, key.invalid, rate_limit.exceeded, …).
/// Turned into ProblemDetails by the one error mapper, like every other exception.
/// </summary>
internal sealed class DeveloperProblemException(int status, string title, string detail, string code) : Exception(detail)
{
    public int Status { get; } = status;

    public string Title { get; } = title;

    public string Code { get; } = code;

    public static DeveloperProblemException KeyMissing() =>
        new(StatusCodes.Status401Unauthorized, "API key required", "Send the key as 'Authorization: Bearer tp_live_…'.", "key.missing");

    public static DeveloperProblemException KeyMalformed() =>
        new(StatusCodes.Status401Unauthorized, "API key malformed", "This is not a TIMEPOINT key: check for a typo (prefix, length or checksum).", "key.malformed");

    // One answer for unknown, revoked and expired keys: nobody can probe which keys exist.
    public static DeveloperProblemException KeyInvalid() =>
        new(StatusCodes.Status401Unauthorized, "API key invalid", "The key is unknown, revoked or expired.", "key.invalid");

    public static DeveloperProblemException RateLimited(string detail) =>
        new(StatusCodes.Status429TooManyRequests, "Rate limit exceeded", detail, "rate_limit.exceeded");

    public static DeveloperProblemException TestModeUnavailable() =>
        new(StatusCodes.Status403Forbidden, "Test mode unavailable", "Test keys need the sandbox Flash, which this deployment does not have.", "key.test_mode_unavailable");

    public static DeveloperProblemException LiveUnavailable() =>
        new(StatusCodes.Status503ServiceUnavailable, "Flash is unavailable", "This deployment has no Flash configured for live keys.", "flash.not_configured");

    public static DeveloperProblemException IdempotencyMismatch() =>
        new(StatusCodes.Status422UnprocessableEntity, "Idempotency key reused", "This Idempotency-Key was used with a different body.", "idempotency.mismatch");

    public static DeveloperProblemException IdempotencyInProgress() =>
        new(StatusCodes.Status409Conflict, "Request in progress", "A request with this Idempotency-Key is still running; retry shortly.", "idempotency.in_progress");

    public static DeveloperProblemException IdempotencyStreamRepeat() =>
        new(StatusCodes.Status409Conflict, "Idempotency key reused", "A stream cannot be replayed: this Idempotency-Key was already used.", "idempotency.stream_repeat");

    public static DeveloperProblemException IdempotencyKeyInvalid() =>
        new(StatusCodes.Status400BadRequest, "Idempotency key invalid", "Idempotency-Key has 1 to 255 printable ASCII characters.", "idempotency.key_invalid");

    public static DeveloperProblemException BodyNotObject() =>
        new(StatusCodes.Status400BadRequest, "Bad request", "The body must be a JSON object.", "request.malformed");
}
