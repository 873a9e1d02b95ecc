using Serilog;
using Serilog.Events;
using Serilog.Formatting.Json;

namespace Billing.Api;

/// <summary>Serilog to the console: JSON lines by default (LOG_FORMAT=text for people), enriched with the correlation id.</summary>
internal static class BillingLogging
{
    public static Serilog.ILogger CreateLogger(IConfiguration configuration)
    {
        var level = Enum.TryParse<LogEventLevel>(configuration["LOG_LEVEL"], ignoreCase: true, out var parsed) ? parsed : LogEventLevel.Information;
        var logger = new LoggerConfiguration()
            .MinimumLevel.Is(level)
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .MinimumLevel.Override("System.Net.Http.HttpClient", LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .Enrich.WithProperty("Service", "timepoint-billing");
        return string.Equals(configuration["LOG_FORMAT"], "text", StringComparison.OrdinalIgnoreCase)
            ? logger.WriteTo.Console(outputTemplate: "{Timestamp:HH:mm:ss.fff} {Level:u3} [{CorrelationId}] {SourceContext}: {Message:lj}{NewLine}{Exception}").CreateLogger()
            : logger.WriteTo.Console(new JsonFormatter(renderMessage: true)).CreateLogger();
    }
}
