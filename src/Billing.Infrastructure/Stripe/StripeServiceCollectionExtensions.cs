using Billing.Application.Abstractions.Stripe;
using Billing.Infrastructure.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Billing.Infrastructure.Stripe;

internal static class StripeServiceCollectionExtensions
{
    private const string HttpClientName = "stripe";

    /// <summary>
    /// Registers <see cref="IStripeClient"/> (Stripe.net over a named HttpClient, retries inside the adapter),
    /// <see cref="IStripeWebhookVerifier"/> and <see cref="StripeSettings"/>, from the <c>STRIPE_*</c> variables, validated at
    /// start-up. Without the keys the service still starts: the client and verifier then throw
    /// <see cref="StripeNotConfiguredException"/> on use (answered 503); a malformed value stops the start-up.
    /// </summary>
    public static IServiceCollection AddStripeClient(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.TryAddSingleton(TimeProvider.System);
        services.AddSettings(StripeConfiguration.Read, configuration);
        services.TryAddSingleton(sp => sp.GetRequiredService<StripeConfiguration>().Options
            ?? throw new StripeNotConfiguredException(sp.GetRequiredService<StripeConfiguration>().Problem!));
        services.TryAddSingleton(sp => sp.GetRequiredService<StripeConfiguration>().Settings);
        services.TryAddSingleton(sp => Billing.Application.Stripe.StripePriceMap.Parse((sp.GetService<IConfiguration>() ?? configuration)[Billing.Application.Stripe.StripePriceMap.Variable]));

        // The adapter enforces a per-attempt timeout itself; HttpClient's would cut across retries.
        services.AddHttpClient(HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.TryAddTransient<IStripeListing>(sp => (IStripeListing)sp.GetRequiredService<IStripeClient>());
        services.TryAddTransient<IStripeClient>(sp =>
        {
            var stripe = sp.GetRequiredService<StripeConfiguration>();
            return stripe.Options is { } options
                ? new StripeSdkClient(
                    sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName),
                    options,
                    sp.GetRequiredService<TimeProvider>(),
                    sp.GetRequiredService<ILogger<StripeSdkClient>>())
                : new UnconfiguredStripeClient(stripe.Problem!);
        });
        services.TryAddSingleton<IStripeEventReader, StripeEventReader>();
        services.TryAddSingleton<IStripeWebhookVerifier>(sp =>
        {
            var stripe = sp.GetRequiredService<StripeConfiguration>();
            return stripe.Options is { } options
                ? new StripeWebhookVerifier(options, sp.GetRequiredService<TimeProvider>())
                : new UnconfiguredStripeWebhookVerifier(stripe.Problem!);
        });
        return services;
    }
}

/// <summary>The Stripe configuration as read once: the adapter options when usable, else why not; and the use-case settings.</summary>
internal sealed class StripeConfiguration
{
    private StripeConfiguration(StripeOptions? options, string? problem, StripeSettings settings)
    {
        Options = options;
        Problem = problem;
        Settings = settings;
    }

    public StripeOptions? Options { get; }

    /// <summary>Why <see cref="Options"/> is null (names the missing variable, never a value).</summary>
    public string? Problem { get; }

    public StripeSettings Settings { get; }

    /// <exception cref="InvalidOperationException">A present value is malformed (missing keys are not an error here).</exception>
    public static StripeConfiguration Read(IConfiguration configuration)
    {
        _ = StripeOptions.ReadTuning(configuration);
        StripeOptions? options = null;
        string? problem = null;
        try
        {
            options = StripeOptions.FromConfiguration(configuration);
        }
        catch (InvalidOperationException exception)
        {
            problem = $"Stripe is not configured: {exception.Message}";
        }

        var settings = new StripeSettings(
            Value(configuration, StripeSettings.SuccessUrlVariable),
            Value(configuration, StripeSettings.CancelUrlVariable),
            Value(configuration, StripeSettings.PortalReturnUrlVariable),
            StripeSettings.LivemodeOfKey(configuration[StripeOptions.SecretKeyVariable]));
        return new StripeConfiguration(options, problem, settings);
    }

    private static string? Value(IConfiguration configuration, string name) =>
        configuration[name] is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
}
