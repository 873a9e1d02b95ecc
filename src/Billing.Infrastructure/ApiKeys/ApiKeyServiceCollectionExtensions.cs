using System.Globalization;
using Billing.Application.Abstractions.ApiKeys;
using Billing.Application.Abstractions.RateLimiting;
using Billing.Application.Abstractions.Relay;
using Billing.Infrastructure.Flash;
using Billing.Infrastructure.RateLimiting;
using Billing.Infrastructure.Relay;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Billing.Infrastructure.ApiKeys;

internal static class ApiKeyServiceCollectionExtensions
{
    public const string MaxPerUserKey = "KEYS_MAX_PER_USER";
    public const string LastUsedFlushSecondsKey = "KEYS_LAST_USED_FLUSH_SECONDS";

    /// <summary>
    /// Developer keys, their caches and the relay's adapters. The in-process limiter is registered with TryAdd, so a shared
    /// (Redis) limiter registered before this wins. The usage recorder is not registered here: the usage writer provides it.
    /// </summary>
    public static IServiceCollection AddDeveloperKeys(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(sp => new ApiKeyOptions(ReadInt(sp.GetRequiredService<IConfiguration>(), MaxPerUserKey, Billing.Domain.ApiKeys.ApiKey.DefaultMaxActivePerUser, 1)));
        services.AddSingleton(ApiKeyCacheOptions.Default);
        services.AddSingleton<ApiKeyDirectoryCache>();
        services.AddSingleton<IApiKeyDirectory>(sp => sp.GetRequiredService<ApiKeyDirectoryCache>());
        services.AddSingleton<SubscriptionTierLookup>();
        services.AddSingleton<IDeveloperTierLookup>(sp => sp.GetRequiredService<SubscriptionTierLookup>());
        services.AddSingleton<IDeveloperLimits>(sp => DeveloperLimitsCatalog.FromConfiguration(sp.GetRequiredService<IConfiguration>()));
        services.TryAddSingleton<IRequestRateLimiter, InProcessRequestRateLimiter>();
        services.AddScoped<IApiKeyOwnerLock, PostgresOwnerLock>();

        services.AddSingleton(sp => new ApiKeyUsageTracker(
            sp.GetRequiredService<NpgsqlDataSource>(),
            TimeSpan.FromSeconds(ReadInt(sp.GetRequiredService<IConfiguration>(), LastUsedFlushSecondsKey, 10, 1)),
            sp.GetRequiredService<ILogger<ApiKeyUsageTracker>>()));
        services.AddSingleton<IApiKeyUsageTracker>(sp => sp.GetRequiredService<ApiKeyUsageTracker>());
        services.AddHostedService(sp => sp.GetRequiredService<ApiKeyUsageTracker>());
        services.AddSingleton<ApiKeyNotificationListener>();
        services.AddHostedService(sp => sp.GetRequiredService<ApiKeyNotificationListener>());
        services.AddHostedService<DeveloperSettingsCheck>();

        services.AddHttpClient(FlashRelayClients.SandboxHttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => FlashServiceCollectionExtensions.CreatePrimaryHandler(sp.GetRequiredService<FlashOptions>()))
            .RedactLoggedHeaders(_ => true);
        services.AddSingleton<IFlashRelayClients>(sp => FlashRelayClients.Create(sp, sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton<ICreditCostTable, CreditCostTable>();
        services.AddSingleton(sp => new RelayIdempotencyOptions(TimeSpan.FromHours(24), sp.GetRequiredService<FlashOptions>().GenerateTimeout + TimeSpan.FromMinutes(1)));
        services.AddSingleton<IRelayIdempotencyStore, PostgresRelayIdempotencyStore>();
        services.AddHostedService<RelayIdempotencySweeper>();
        return services;
    }

    internal static int ReadInt(IConfiguration configuration, string key, int fallback, int minimum)
    {
        var text = configuration[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        return int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= minimum
            ? value
            : throw new InvalidOperationException($"{key} must be an integer of at least {minimum}.");
    }

    /// <summary>Reads the developer settings at start-up, so a bad value stops the service naming its variable.</summary>
    private sealed class DeveloperSettingsCheck(IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            services.GetRequiredService<ApiKeyOptions>();
            services.GetRequiredService<IDeveloperLimits>();
            var configuration = services.GetRequiredService<IConfiguration>();
            FlashRelayClients.SandboxOptions(configuration, services.GetRequiredService<FlashOptions>());
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
