using Billing.Api.Endpoints;
using Billing.Api.Security;

namespace Billing.Api;

internal static class BillingApi
{
    public static IServiceCollection AddBillingApi(this IServiceCollection services, IConfiguration configuration)
    {
        // Read lazily so a test host's configuration is the one that counts; a missing key fails the first resolve loudly.
        services.AddSingleton(sp => new ServiceKeyOptions(
            sp.GetRequiredService<IConfiguration>()["SERVICE_API_KEY"]
            ?? throw new InvalidOperationException("SERVICE_API_KEY is not set; internal routes cannot be protected.")));
        services.AddSingleton<ServiceKeyFilter>();
        services.AddSingleton<CatalogJsonCache>();
        services.AddSingleton<AdminKeyFilter>();
        services.AddScoped<Developer.DeveloperRelay>();
        return services;
    }

    public static void MapBillingEndpoints(this IEndpointRouteBuilder app)
    {
        // Apple calls its webhook directly: the JWS signature is the authentication, not the service key.
        app.MapAppleWebhook();
        var billing = app.MapGroup("/internal/billing")
            .AddEndpointFilter<ServiceKeyFilter>()
            .WithTags("internal");
        billing.MapAppleEndpoints();
        billing.MapCatalogEndpoints();
        billing.MapStatusEndpoints();
        billing.MapStripeEndpoints();
        billing.MapGenerationEndpoints();
        billing.MapApiKeyEndpoints();
        billing.MapUsageEndpoints();
        billing.MapGroup("/admin")
            .AddEndpointFilter<AdminKeyFilter>()
            .WithTags("operator")
            .MapOperatorEndpoints();

        // Provider webhooks authenticate by signature, not by the service key.
        app.MapStripeWebhook();

        // Developers authenticate with their API key (Authorization: Bearer), not the service key.
        Developer.DeveloperEndpoints.MapDeveloperEndpoints(app);
    }
}
