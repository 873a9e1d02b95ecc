using Billing.Api.Endpoints;
using Billing.Api.Security;
using Billing.Infrastructure.Configuration;

namespace Billing.Api;

internal static class BillingApi
{
    public static IServiceCollection AddBillingApi(this IServiceCollection services, IConfiguration configuration)
    {
        // Validated at start-up: without SERVICE_API_KEY the service does not start.
        services.AddSettings(ApiSettings.FromConfiguration);
        services.AddSingleton(sp => new ServiceKeyOptions(sp.GetRequiredService<ApiSettings>().ServiceApiKey));
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
            .MapOperatorEndpoints()
            .MapReconciliationEndpoints();

        // Provider webhooks authenticate by signature, not by the service key.
        app.MapStripeWebhook();

        // Developers authenticate with their API key (Authorization: Bearer), not the service key.
        Developer.DeveloperEndpoints.MapDeveloperEndpoints(app);
    }
}
