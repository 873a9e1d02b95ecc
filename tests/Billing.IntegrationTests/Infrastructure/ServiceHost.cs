using Billing.Application;
using Billing.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.IntegrationTests.Infrastructure;

/// <summary>The Application + Infrastructure container without HTTP, over a test database, for driving workers directly.</summary>
public static class ServiceHost
{
    public static ServiceProvider Build(string connectionString, Action<IServiceCollection>? configure = null, IDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["DATABASE_URL"] = connectionString,
            ["BACKGROUND_WORKERS"] = "false",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddBillingApplication();
        services.AddBillingInfrastructure(configuration);
        ProviderCallGuard.Install(services);
        configure?.Invoke(services);
        return services.BuildServiceProvider();
    }
}
