using System.Net.Sockets;
using Polly.Timeout;

namespace Billing.Infrastructure.Flash;

/// <summary>How an HTTP status bears on a non-idempotent write (admin grant, /internal/credits grant/spend).</summary>
internal enum WriteStatusClass
{
    Success,
    /// <summary>Definitive refusal: 3xx (not followed) and 4xx other than 408/429.</summary>
    Definitive,
    /// <summary>429: Flash never emits it, so an intermediary refused to forward; nothing was applied.</summary>
    NotApplied,
    /// <summary>5xx, 408 and unexpected codes: Flash may have committed before answering.</summary>
    Ambiguous,
}

/// <summary>The one place that decides whether a failed write may have been applied. The dispatcher relies on this.</summary>
internal static class FlashSendClassifier
{
    public static WriteStatusClass ClassifyStatus(int statusCode) => statusCode switch
    {
        200 => WriteStatusClass.Success,
        429 => WriteStatusClass.NotApplied,
        408 => WriteStatusClass.Ambiguous,
        >= 300 and < 500 => WriteStatusClass.Definitive,
        _ => WriteStatusClass.Ambiguous,
    };

    /// <summary>
    /// For an exception thrown while sending a write: a reason if the body certainly never left (so it was not applied),
    /// otherwise null (it may have been applied).
    /// </summary>
    public static string? ReasonNotSent(Exception exception, bool bodyStarted, CancellationToken callerToken)
    {
        if (FlashResiliencePipelines.IsCircuitOpen(exception))
        {
            return "Flash circuit breaker is open; the request was not attempted.";
        }

        if (bodyStarted)
        {
            return null;
        }

        return exception switch
        {
            HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } => "Flash host name could not be resolved.",
            HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } => "Could not connect to Flash.",
            HttpRequestException { InnerException: SocketException } => "Could not connect to Flash.",
            TimeoutRejectedException => "Timed out before the request body was sent.",
            OperationCanceledException when callerToken.IsCancellationRequested => "Cancelled by the caller before the request body was sent.",
            _ => $"Failed before the request body was sent ({exception.GetType().Name}).",
        };
    }

    /// <summary>True when the upstream could not be reached at all (nothing listening, no such host, connect timeout): not the
    /// breaker, not a proxy's answer. The grant dispatcher then waits for Flash to answer its health probe before sending more.</summary>
    public static bool IsUnreachable(Exception exception, bool bodyStarted) =>
        !bodyStarted && exception switch
        {
            HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError } => true,
            HttpRequestException { InnerException: SocketException } => true,
            TimeoutRejectedException => true,
            _ => false,
        };

    public static string DescribeAmbiguousFailure(Exception exception, CancellationToken callerToken) => exception switch
    {
        TimeoutRejectedException => "Timed out after the request was sent; Flash may have applied it.",
        OperationCanceledException when callerToken.IsCancellationRequested => "Cancelled by the caller after the request was sent; Flash may have applied it.",
        HttpRequestException or IOException => "The connection failed after the request was sent; Flash may have applied it.",
        _ => $"Failed after the request was sent ({exception.GetType().Name}); Flash may have applied it.",
    };

    /// <summary>The exceptions a send can produce that are about the call, not a bug in this process.</summary>
    public static bool IsSendFailure(Exception exception) =>
        exception is HttpRequestException or IOException or OperationCanceledException or Polly.ExecutionRejectedException;
}
