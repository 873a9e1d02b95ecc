namespace Billing.Application.Abstractions.Flash;

/// <summary>Base for failures of Flash calls other than the admin grant (which returns a <see cref="FlashGrantOutcome"/> instead).</summary>
public abstract class FlashException : Exception
{
    protected FlashException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>True when trying again later may succeed.</summary>
    public abstract bool IsTransient { get; }
}

/// <summary>Flash definitively refused the request (4xx other than 408/429). Retrying unchanged will not help.</summary>
public sealed class FlashRequestException : FlashException
{
    public FlashRequestException(FlashError error)
        : base($"Flash refused the request: HTTP {error.StatusCode} {error.Message}", null)
    {
        Error = error;
    }

    public FlashError Error { get; }

    public int StatusCode => Error.StatusCode;

    public override bool IsTransient => false;
}

/// <summary>
/// Flash could not be reached or answered with a transient failure (connection error, timeout, 5xx, 408, 429, circuit open),
/// after any retries the client is allowed to make.
/// </summary>
public sealed class FlashUnavailableException : FlashException
{
    public FlashUnavailableException(string message, int? statusCode = null, FlashError? error = null, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        Error = error;
    }

    /// <summary>The HTTP status when one came back; null for transport failures, timeouts and an open circuit.</summary>
    public int? StatusCode { get; }

    public FlashError? Error { get; }

    public override bool IsTransient => true;
}
