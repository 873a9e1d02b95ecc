using System.Net;

namespace Billing.Application.Abstractions.Stripe;

/// <summary>How the API layer should answer when a Stripe call fails.</summary>
public enum StripeFailureKind
{
    /// <summary>Stripe refused the request as invalid (400/404 <c>invalid_request_error</c>): a bad request, answer 400.</summary>
    InvalidRequest,

    /// <summary>Stripe answered but rejected the call for another reason (auth, permissions, card, idempotency): answer 502.</summary>
    Rejected,

    /// <summary>Stripe unreachable, timing out, rate limiting or failing with 5xx after retries: answer 503.</summary>
    Unavailable,
}

/// <summary>Base of every failure raised by <see cref="IStripeClient"/>.</summary>
public abstract class StripeException : Exception
{
    protected StripeException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public abstract StripeFailureKind Kind { get; }
}

/// <summary>
/// Stripe answered with an error status and (usually) its error JSON:
/// <c>{"error": {"type", "code", "decline_code", "param", "message"}}</c>.
/// </summary>
public sealed class StripeApiException : StripeException
{
    public StripeApiException(
        HttpStatusCode statusCode,
        string? type,
        string? code,
        string? declineCode,
        string? param,
        string? stripeMessage,
        string? requestId,
        bool? shouldRetryHeader = null)
        : base(BuildMessage(statusCode, type, code, param, stripeMessage, requestId), innerException: null)
    {
        StatusCode = statusCode;
        Type = type;
        Code = code;
        DeclineCode = declineCode;
        Param = param;
        StripeMessage = stripeMessage;
        RequestId = requestId;
        ShouldRetryHeader = shouldRetryHeader;
    }

    public HttpStatusCode StatusCode { get; }

    /// <summary><c>api_error</c>, <c>card_error</c>, <c>idempotency_error</c>, <c>invalid_request_error</c>, …</summary>
    public string? Type { get; }

    /// <summary>e.g. <c>resource_missing</c>, <c>parameter_missing</c>, <c>lock_timeout</c>.</summary>
    public string? Code { get; }

    public string? DeclineCode { get; }

    public string? Param { get; }

    /// <summary>Stripe's human-readable message (never contains secrets, may name a parameter).</summary>
    public string? StripeMessage { get; }

    /// <summary>The <c>Request-Id</c> response header, for Stripe's dashboard logs.</summary>
    public string? RequestId { get; }

    /// <summary>The <c>Stripe-Should-Retry</c> response header, when present.</summary>
    public bool? ShouldRetryHeader { get; }

    public bool IsNotFound => StatusCode == HttpStatusCode.NotFound;

    /// <summary>True for transient statuses (409, 429, 5xx): the adapter wraps these in <see cref="StripeUnavailableException"/>.</summary>
    public bool IsTransient =>
        StatusCode == HttpStatusCode.Conflict
        || StatusCode == HttpStatusCode.TooManyRequests
        || (int)StatusCode >= 500;

    public override StripeFailureKind Kind =>
        IsTransient
            ? StripeFailureKind.Unavailable
            : (StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound) && Type == "invalid_request_error"
                ? StripeFailureKind.InvalidRequest
                : StripeFailureKind.Rejected;

    private static string BuildMessage(
        HttpStatusCode statusCode, string? type, string? code, string? param, string? stripeMessage, string? requestId) =>
        $"Stripe returned {(int)statusCode} ({type ?? "no error type"}"
        + (code is null ? string.Empty : $", code {code}")
        + (param is null ? string.Empty : $", param {param}")
        + (requestId is null ? string.Empty : $", request {requestId}")
        + $"): {stripeMessage ?? "no message"}";
}

/// <summary>
/// Stripe could not be reached or kept failing transiently (connection error, timeout, 409, 429, 5xx) after all retries.
/// <see cref="Exception.InnerException"/> holds the last failure (a <see cref="StripeApiException"/> when Stripe answered).
/// </summary>
public sealed class StripeUnavailableException : StripeException
{
    public StripeUnavailableException(string message, int attempts, Exception? innerException)
        : base(message, innerException)
    {
        Attempts = attempts;
    }

    public int Attempts { get; }

    /// <summary>The last HTTP status when Stripe answered; null for connection failures and timeouts.</summary>
    public HttpStatusCode? LastStatusCode => (InnerException as StripeApiException)?.StatusCode;

    public override StripeFailureKind Kind => StripeFailureKind.Unavailable;
}

/// <summary>
/// Stripe is not configured on this instance (no <c>STRIPE_SECRET_KEY</c> / <c>STRIPE_WEBHOOK_SECRET</c>, or no
/// <c>SUCCESS_URL</c> / <c>CANCEL_URL</c> for checkout). Raised when a Stripe feature is used, never at startup, so the
/// rest of the service runs without Stripe; answered 503 like any other Stripe outage.
/// </summary>
public sealed class StripeNotConfiguredException : StripeException
{
    public StripeNotConfiguredException(string message)
        : base(message, innerException: null)
    {
    }

    public override StripeFailureKind Kind => StripeFailureKind.Unavailable;
}
