using Billing.Application.Abstractions.Persistence;
using Billing.Infrastructure.Apple;
using Billing.Infrastructure.Background;
using Billing.Infrastructure.Flash;
using Billing.Infrastructure.Grants;
using Billing.Infrastructure.Stripe;
using Billing.Infrastructure.Inbox;
using Billing.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Billing.Infrastructure;

public static class DependencyInjection
{
    public static IServiceCollection AddBillingInfrastructure(this IServiceCollection services, IConfiguration configuration)
    {
        // Configuration is read when first resolved, so a test host's settings are the ones that count.
        services.AddSingleton(sp =>
        {
            var databaseUrl = sp.GetRequiredService<IConfiguration>()["DATABASE_URL"];
            if (string.IsNullOrWhiteSpace(databaseUrl))
            {
                throw new InvalidOperationException("DATABASE_URL is not set (build/run.sh starts a local PostgreSQL and sets it).");
            }

            return new NpgsqlDataSourceBuilder(DatabaseUrl.ToConnectionString(databaseUrl)).Build();
        });
        services.AddDbContext<BillingDbContext>((sp, options) => options.UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddScoped<IBillingDbContext>(sp => sp.GetRequiredService<BillingDbContext>());
        services.AddSingleton<SchemaMigrator>();
        services.AddSingleton<Application.Abstractions.Security.IPasswordHasher, Security.IdentityPasswordHasher>();
        services.AddSingleton<DatabaseWakeups>();
        services.AddFlashClient(configuration);
        services.AddStripeClient(configuration);
        services.AddAppleVerification(configuration);
        services.AddSingleton(sp => GrantDeliveryOptions.FromConfiguration(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton<GrantDispatcher>();

        // BACKGROUND_WORKERS=false runs the API alone (tests that drive the workers themselves, a read-only replica).
        if (configuration.GetValue("BACKGROUND_WORKERS", true))
        {
            services.AddHostedService<DatabaseNotificationListener>();
            services.AddHostedService<InboxProcessorService>();
            services.AddHostedService<GrantDispatcherService>();
        }

        return services;
    }
}
