using Billing.Application.Abstractions.Usage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.Infrastructure.Usage;

internal static class UsageServiceCollectionExtensions
{
    /// <summary>
    /// Metering: the recorder and its writer always run with the API (the relay records into them); partition upkeep runs
    /// with the background workers.
    /// </summary>
    public static IServiceCollection AddUsageMetering(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(sp => UsageOptions.FromConfiguration(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton<ChannelUsageRecorder>();
        services.AddSingleton<IUsageRecorder>(sp => sp.GetRequiredService<ChannelUsageRecorder>());
        services.AddSingleton<UsageWriter>();
        services.AddSingleton<UsageWriterService>();
        services.AddHostedService(sp => sp.GetRequiredService<UsageWriterService>());
        services.AddSingleton<UsagePartitionMaintenance>();
        services.AddSingleton<IUsageQueries, UsageQueries>();
        if (configuration.GetValue("BACKGROUND_WORKERS", true))
        {
            services.AddHostedService<UsageMaintenanceService>();
        }

        return services;
    }
}
