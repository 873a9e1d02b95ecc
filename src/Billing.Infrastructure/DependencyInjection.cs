using Billing.Application.Abstractions.Persistence;
using Billing.Application.Inbox;
using Billing.Infrastructure.ApiKeys;
using Billing.Infrastructure.Apple;
using Billing.Infrastructure.Background;
using Billing.Infrastructure.Configuration;
using Billing.Infrastructure.Flash;
using Billing.Infrastructure.Grants;
using Billing.Infrastructure.Stripe;
using Billing.Infrastructure.Inbox;
using Billing.Infrastructure.Persistence;
using Billing.Infrastructure.RateLimiting;
using Billing.Infrastructure.Reconciliation;
using Billing.Infrastructure.Usage;
using Billing.Infrastructure.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
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
        services.AddScoped<Billing.Application.Abstractions.Attention.IAttentionList, AttentionList>();
        services.AddSingleton<SchemaMigrator>();
        services.AddSingleton<Billing.Application.Abstractions.Inbox.IInboxIntake, GroupCommitInboxIntake>();

        // Metrics: the meter comes from the host's IMeterFactory; the database gauges register on it when first resolved.
        services.AddMetrics();
        services.AddSingleton<DatabaseGauges>();
        services.AddSingleton<Application.Abstractions.Security.IPasswordHasher, Security.IdentityPasswordHasher>();
        services.AddSingleton<DatabaseWakeups>();
        services.AddFlashClient(configuration);
        services.AddStripeClient(configuration);
        services.AddAppleVerification(configuration);
        services.AddReconciliation();
        services.AddSettings(GrantDeliveryOptions.FromConfiguration);
        services.AddSettings(InboxOptions.FromConfiguration);
        services.AddSingleton<Billing.Application.Abstractions.Inbox.IStoredPayloadMasker, Billing.Infrastructure.Inbox.PayloadMasker>();
        services.AddSingleton<GrantDispatcher>();
        services.AddOptions<HostOptions>().PostConfigure<FlashOptions>(GrantDeliveryHostOptions.EnsureShutdownCoversASend);
        services.AddSettings(c => InboxRetryPolicy.FromSetting(c[InboxRetryPolicy.RetryDaysVariable]));
        // Before the keys: with REDIS_URL set, the limiter they use is the shared one (failing open to in-process).
        services.AddRedisRateLimiting();
        services.AddUsageMetering(configuration);
        services.AddDeveloperKeys(configuration);

        // BACKGROUND_WORKERS=false runs the API alone (tests that drive the workers themselves, a read-only replica).
        if (SettingValues.Bool(configuration, "BACKGROUND_WORKERS", defaultValue: true))
        {
            services.AddHostedService<DatabaseNotificationListener>();
            services.AddHostedService<InboxProcessorService>();
            services.AddHostedService<GrantDispatcherService>();
            services.AddHostedService<ReconciliationWorker>();
        }

        return services;
    }
}
