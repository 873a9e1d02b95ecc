using Serilog.Context;

namespace Billing.Api.Logging;

/// <summary>
/// Takes X-Request-ID from the caller (or makes one), echoes it, and puts it on every log line of the request
/// (the request line itself is Serilog's request logging, which runs inside this scope).
/// </summary>
internal sealed class CorrelationIdMiddleware(RequestDelegate next)
{
    public const string HeaderName = "X-Request-ID";
    public const string PropertyName = "CorrelationId";
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

        using (LogContext.PushProperty(PropertyName, correlationId))
        {
            await next(context);
        }
    }

    // Only a conservative alphabet is echoed back, so the header cannot inject anything into logs or responses.
    private static string? Sanitize(string value) =>
        value.Length is > 0 and <= MaxLength && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':')
            ? value
            : null;
}
