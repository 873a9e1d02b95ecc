using Billing.Application.Abstractions.Flash;
using Billing.Infrastructure.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Billing.Infrastructure.Flash;

internal static class FlashServiceCollectionExtensions
{
    public const string FlashHttpClientName = "flash";
    public const string FlashRelayHttpClientName = "flash-relay";
    public const string FlashCreditsHttpClientName = "flash-credits";

    /// <summary>
    /// Registers <see cref="IFlashLedgerClient"/>, <see cref="IFlashRelayClient"/> and <see cref="IFlashCreditsClient"/> as typed
    /// HTTP clients. Timeouts, retries and the circuit breakers (one per job: delivery, reads, relay) live in Polly pipelines
    /// (singletons, so breaker state is shared by every instance of a client), not in <see cref="HttpClient.Timeout"/>.
    /// </summary>
    public static IServiceCollection AddFlashClient(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        // Read when first resolved (not now), so the host's final configuration — a test host's included — is the one used.
        services.TryAddSingleton(TimeProvider.System);
        services.AddSettings(FlashOptions.FromConfiguration, configuration);
        services.AddSingleton(sp => new FlashResiliencePipelines(sp.GetRequiredService<FlashOptions>()));
        services.AddSingleton(sp => new FlashCreditsPipelines(new FlashResiliencePipelines(sp.GetRequiredService<FlashOptions>())));

        services.AddHttpClient<IFlashLedgerClient, FlashLedgerHttpClient>(FlashHttpClientName, ConfigureClient)
            .ConfigurePrimaryHttpMessageHandler(sp => CreatePrimaryHandler(sp.GetRequiredService<FlashOptions>()))
            .RedactLoggedHeaders(_ => true);
        services.AddHttpClient<IFlashRelayClient, FlashRelayHttpClient>(FlashRelayHttpClientName, ConfigureClient)
            .ConfigurePrimaryHttpMessageHandler(sp => CreatePrimaryHandler(sp.GetRequiredService<FlashOptions>()))
            .RedactLoggedHeaders(_ => true);
        services.AddHttpClient<IFlashCreditsClient, FlashCreditsHttpClient>(FlashCreditsHttpClientName, ConfigureClient)
            .ConfigurePrimaryHttpMessageHandler(sp => CreatePrimaryHandler(sp.GetRequiredService<FlashOptions>()))
            .RedactLoggedHeaders(_ => true);
        return services;
    }

    /// <summary>The transport settings the classification relies on; tests build their clients with the same handler.</summary>
    internal static SocketsHttpHandler CreatePrimaryHandler(FlashOptions options) => new()
    {
        // A redirect on a POST would be a second, unaccounted send; a 3xx is reported instead.
        AllowAutoRedirect = false,
        ConnectTimeout = options.AttemptTimeout,
        // Below uvicorn's 5 s keep-alive, so a grant is rarely written onto a connection Flash is closing
        // (that race would make a grant that never arrived look ambiguous).
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(4),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        UseCookies = false,
        // Never drain an unread body to reuse the connection: when a relayed stream stops early (the caller went away),
        // closing the connection is what tells Flash to stop generating.
        MaxResponseDrainSize = 0,
    };

    private static void ConfigureClient(HttpClient client) =>
        // Polly owns every timeout; HttpClient's own would fire mid-stream on long generations.
        client.Timeout = Timeout.InfiniteTimeSpan;
}
