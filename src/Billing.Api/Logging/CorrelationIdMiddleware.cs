using System.Diagnostics;
using Serilog.Context;

namespace Billing.Api.Logging;

/// <summary>
/// Takes X-Request-ID from the caller (or makes one), echoes it, and puts it on every log line of the request.
/// Logs one line per request: method, path (never the query string or body), status and duration.
/// </summary>
internal sealed class CorrelationIdMiddleware(RequestDelegate next, ILogger<CorrelationIdMiddleware> logger)
{
    public const string HeaderName = "X-Request-ID";
    private const int MaxLength = 128;

    public async Task InvokeAsync(HttpContext context)
    {
        var correlationId = Sanitize(context.Request.Headers[HeaderName].ToString()) ?? Guid.NewGuid().ToString("N");
        context.TraceIdentifier = correlationId;
        context.Response.OnStarting(() =>
        {
            context.Response.Headers[HeaderName] = correlationId;
            return Task.CompletedTask;
        });

        using (LogContext.PushProperty("CorrelationId", correlationId))
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await next(context);
            }
            finally
            {
                var level = context.Response.StatusCode >= 500 ? LogLevel.Error : LogLevel.Information;
                logger.Log(level, "HTTP {Method} {Path} answered {StatusCode} in {ElapsedMs:0.0} ms", context.Request.Method, context.Request.Path.Value, context.Response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
    }

    // Only a conservative alphabet is echoed back, so the header cannot inject anything into logs or responses.
    private static string? Sanitize(string value) =>
        value.Length is > 0 and <= MaxLength && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':')
            ? value
            : null;
}
