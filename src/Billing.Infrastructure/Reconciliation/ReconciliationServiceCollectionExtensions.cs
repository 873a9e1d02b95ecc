using Billing.Application.Abstractions.Apple;
using Billing.Application.Abstractions.Reconciliation;
using Billing.Infrastructure.Apple;
using Billing.Infrastructure.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Billing.Infrastructure.Reconciliation;

internal static class ReconciliationServiceCollectionExtensions
{
    private const string AppStoreHttpClient = "app-store-server-api";

    /// <summary>The advisory lock, RECONCILE_INTERVAL and the App Store Server API client (APPLE_APP_STORE_*), validated at start-up.</summary>
    public static IServiceCollection AddReconciliation(this IServiceCollection services)
    {
        services.AddSettings(ReconciliationOptions.FromConfiguration);
        services.AddSettings(AppStoreServerApiOptions.FromConfiguration);
        services.TryAddSingleton<IReconciliationLock, PostgresReconciliationLock>();
        services.AddHttpClient(AppStoreHttpClient, client => client.Timeout = TimeSpan.FromSeconds(30));
        services.TryAddSingleton<IAppStoreServerApi>(sp => new AppStoreServerApiClient(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(AppStoreHttpClient),
            sp.GetRequiredService<AppStoreServerApiOptions>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<AppStoreServerApiClient>>()));
        return services;
    }
}
