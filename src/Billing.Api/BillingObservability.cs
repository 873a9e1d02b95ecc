using Billing.Application.Abstractions.Telemetry;
using Billing.Infrastructure.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Billing.Api;

/// <summary>
/// OpenTelemetry: traces (requests, the inbox and grant workers, outgoing HTTP to Flash, Stripe and Apple) and metrics
/// (the service's own meter, ASP.NET Core, HttpClient), scraped at <c>/metrics</c> in Prometheus format and also exported
/// over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the standard <c>OTEL_*</c> variables tune it).
/// </summary>
internal static class BillingObservability
{
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string MetricsPath = "/metrics";

    public static IServiceCollection AddBillingObservability(this IServiceCollection services, IConfiguration configuration)
    {
        var otlpEndpoint = configuration[OtlpEndpointVariable];
        if (!string.IsNullOrWhiteSpace(otlpEndpoint) && !Uri.TryCreate(otlpEndpoint.Trim(), UriKind.Absolute, out _))
        {
            throw new InvalidOperationException($"{OtlpEndpointVariable} must be an absolute URL.");
        }

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("timepoint-billing"))
            .WithTracing(tracing => tracing
                .AddSource(BillingTelemetry.Name)
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !IsPlumbing(context.Request.Path))
                .AddHttpClientInstrumentation())
            .WithMetrics(metrics => metrics
                .AddMeter(BillingTelemetry.Name)
                .AddInstrumentation(sp => sp.GetRequiredService<DatabaseGauges>())
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddPrometheusExporter());
        if (!string.IsNullOrWhiteSpace(otlpEndpoint))
        {
            telemetry.UseOtlpExporter();
        }

        return services;
    }

    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        return app;
    }

    private static bool IsPlumbing(PathString path) =>
        path.StartsWithSegments(MetricsPath) || path.StartsWithSegments("/health");
}
