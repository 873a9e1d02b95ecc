using System.Text.Json;
using Billing.Admin;
using Billing.Api;
using Billing.Api.Developer;
using Billing.Api.Errors;
using Billing.Api.Health;
using Billing.Api.Logging;
using Billing.Api.Security;
using Billing.Application;
using Billing.Infrastructure;
using Billing.Infrastructure.Persistence;

var builder = WebApplication.CreateBuilder(args);

builder.Logging.ClearProviders();
BillingLogging.ConfigureSerilog(builder);
builder.WebHost.ConfigureKestrel(kestrel =>
{
    // Webhook events and internal requests are small; anything bigger is refused before it is read (413).
    kestrel.Limits.MaxRequestBodySize = ApiSettings.ReadMaxRequestBodyBytes(builder.Configuration);
    kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
    kestrel.AddServerHeader = false;
});

builder.Services.ConfigureHttpJsonOptions(json =>
{
    json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
    json.SerializerOptions.DictionaryKeyPolicy = null;
});
builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
{
    context.ProblemDetails.Instance ??= context.HttpContext.Request.Path;
    context.ProblemDetails.Extensions["trace_id"] = context.HttpContext.TraceIdentifier;
});
builder.Services.AddExceptionHandler<ProblemDetailsExceptionHandler>();
builder.Services.AddOpenApi(options => options.AddDeveloperDocs());
builder.Services.AddBillingApplication();
builder.Services.AddBillingInfrastructure(builder.Configuration);
builder.Services.AddBillingApi(builder.Configuration);
builder.Services.AddBillingObservability(builder.Configuration);
builder.Services.AddBillingConsole();

var app = builder.Build();

// Bad Apple / Stripe price settings fail here, naming the variable, rather than on the first purchase.
_ = app.Services.GetRequiredService<Billing.Application.Abstractions.Apple.AppleSandboxPolicy>();
_ = app.Services.GetRequiredService<Billing.Application.Stripe.StripePriceMap>();

if (app.Services.GetRequiredService<ApiSettings>().MigrateOnStart)
{
    await app.Services.GetRequiredService<SchemaMigrator>().MigrateAsync(CancellationToken.None);
}

app.UseMiddleware<CorrelationIdMiddleware>();
app.UseBillingRequestLogging();
app.UseExceptionHandler();
app.UseMiddleware<RequestBodyLimitMiddleware>();
app.UseStatusCodePages();
app.UseBillingConsole();

app.MapOpenApi("/openapi/v1.json");
app.MapDeveloperDocs();
app.MapHealthEndpoints();
app.MapMetrics();
app.MapBillingEndpoints();
app.MapBillingConsole();

await app.RunAsync();

/// <summary>Entry point; public so WebApplicationFactory can find it.</summary>
public partial class Program;
