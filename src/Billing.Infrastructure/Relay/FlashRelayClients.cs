using Billing.Application.Abstractions.Flash;
using Billing.Application.Abstractions.Relay;
using Billing.Domain.ApiKeys;
using Billing.Infrastructure.Flash;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Billing.Infrastructure.Relay;

/// <summary>
/// Live keys reach the production Flash (the ordinary client, MAIN_APP_INTERNAL_URL); test keys reach the sandbox Flash
/// (FLASH_SANDBOX_URL) through a client of their own, with its own circuit breaker, so a broken sandbox never trips live traffic.
/// </summary>
internal sealed class FlashRelayClients(FlashTarget? live, FlashTarget? sandbox) : IFlashRelayClients
{
    public const string SandboxHttpClientName = "flash-sandbox";

    public FlashTarget? For(ApiKeyMode mode) => mode == ApiKeyMode.Live ? live : sandbox;

    public static FlashRelayClients Create(IServiceProvider services, IConfiguration configuration)
    {
        var liveOptions = (FlashOptions)services.GetService(typeof(FlashOptions))!;
        // Without MAIN_APP_INTERNAL_URL there is no live Flash to relay to (the relay answers 503 for live keys).
        var live = liveOptions.BaseUrl is null
            ? null
            : new FlashTarget((IFlashRelayClient)services.GetService(typeof(IFlashRelayClient))!, (IFlashLedgerClient)services.GetService(typeof(IFlashLedgerClient))!);
        var sandboxOptions = SandboxOptions(configuration, liveOptions);
        if (sandboxOptions is null)
        {
            return new FlashRelayClients(live, null);
        }

        var factory = (IHttpClientFactory)services.GetService(typeof(IHttpClientFactory))!;
        var clock = (TimeProvider)services.GetService(typeof(TimeProvider))!;
        var pipelines = new FlashResiliencePipelines(sandboxOptions);
        var sandbox = new FlashTarget(
            new FlashRelayHttpClient(factory.CreateClient(SandboxHttpClientName), sandboxOptions, pipelines, clock),
            new FlashLedgerHttpClient(
                factory.CreateClient(SandboxHttpClientName),
                sandboxOptions,
                pipelines,
                clock,
                (ILogger<FlashLedgerHttpClient>)services.GetService(typeof(ILogger<FlashLedgerHttpClient>))!));
        return new FlashRelayClients(live, sandbox);
    }

    /// <summary>The sandbox Flash: FLASH_SANDBOX_URL, with the live keys and signing secret unless its own are set.</summary>
    public static FlashOptions? SandboxOptions(IConfiguration configuration, FlashOptions live)
    {
        var url = configuration["FLASH_SANDBOX_URL"]?.Trim();
        if (string.IsNullOrEmpty(url))
        {
            return null;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var baseUrl) || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps))
        {
            throw new InvalidOperationException("FLASH_SANDBOX_URL must be an absolute http(s) URL.");
        }

        static string? Text(IConfiguration configuration, string key) =>
            string.IsNullOrWhiteSpace(configuration[key]) ? null : configuration[key]!.Trim();

        return new FlashOptions
        {
            BaseUrl = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/"),
            ServiceKey = Text(configuration, "FLASH_SANDBOX_SERVICE_KEY") ?? live.ServiceKey,
            GatewaySigningSecret = Text(configuration, "FLASH_SANDBOX_GATEWAY_SIGNING_SECRET") ?? live.GatewaySigningSecret,
            // The relay never grants: no admin key travels to the sandbox.
            AdminKey = null,
            AttemptTimeout = live.AttemptTimeout,
            GenerateTimeout = live.GenerateTimeout,
            ReadRetryCount = live.ReadRetryCount,
            CircuitBreakDuration = live.CircuitBreakDuration,
            CircuitMinimumThroughput = live.CircuitMinimumThroughput,
        };
    }
}
