using Billing.Api.Logging;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace Billing.Api;

/// <summary>
/// Serilog to the console: compact JSON lines (CLEF) by default, <c>LOG_FORMAT=text</c> for people; every line of a request
/// carries its correlation id. Request logging is Serilog's (one line per request), not hand-written middleware.
/// </summary>
internal static class BillingLogging
{
    public const string FormatVariable = "LOG_FORMAT";
    public const string LevelVariable = "LOG_LEVEL";

    public static void ConfigureSerilog(WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var levelText = configuration[LevelVariable];
        var level = LogEventLevel.Information;
        if (!string.IsNullOrWhiteSpace(levelText) && !Enum.TryParse(levelText, ignoreCase: true, out level))
        {
            throw new InvalidOperationException($"{LevelVariable} must be one of {string.Join(", ", Enum.GetNames<LogEventLevel>())}.");
        }

        var format = configuration[FormatVariable]?.Trim().ToLowerInvariant();
        if (format is not (null or "" or "json" or "text"))
        {
            throw new InvalidOperationException($"{FormatVariable} must be 'json' or 'text'.");
        }

        builder.Services.AddSerilog(
            logger =>
            {
                logger
                    .MinimumLevel.Is(level)
                    .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
                    .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
                    .MinimumLevel.Override("System.Net.Http.HttpClient", LogEventLevel.Warning)
                    .Enrich.FromLogContext()
                    .Enrich.WithProperty("Service", "timepoint-billing");
                if (format == "text")
                {
                    logger.WriteTo.Console(outputTemplate: "{Timestamp:HH:mm:ss.fff} {Level:u3} [{CorrelationId}] {SourceContext}: {Message:lj}{NewLine}{Exception}");
                }
                else
                {
                    logger.WriteTo.Console(new RenderedCompactJsonFormatter());
                }
            },
            preserveStaticLogger: true);
    }

    /// <summary>One line per request: method, path (never the query string or body), status and duration, with the correlation id.</summary>
    public static IApplicationBuilder UseBillingRequestLogging(this IApplicationBuilder app) =>
        app.UseSerilogRequestLogging(options =>
        {
            options.MessageTemplate = "HTTP {RequestMethod} {RequestPath} answered {StatusCode} in {Elapsed:0.0} ms";
            options.GetLevel = (context, _, exception) => Level(context, exception);
            options.EnrichDiagnosticContext = (diagnostics, context) =>
                diagnostics.Set(CorrelationIdMiddleware.PropertyName, context.TraceIdentifier);
        });

    /// <summary>
    /// Errors as errors; the hot paths' successes (webhook intake, health probes, metrics scrapes) at Debug, so at the
    /// default level a 2xx there costs no log write: the webhook metrics count them, and refusals are still logged.
    /// </summary>
    internal static LogEventLevel Level(HttpContext context, Exception? exception)
    {
        if (exception is not null || context.Response.StatusCode >= 500)
        {
            return LogEventLevel.Error;
        }

        var path = context.Request.Path;
        var quietWhenOk = path.StartsWithSegments("/webhooks") || path.StartsWithSegments("/health") || path.StartsWithSegments("/metrics");
        return quietWhenOk && context.Response.StatusCode < 300 ? LogEventLevel.Debug : LogEventLevel.Information;
    }
}
