using Billing.Application.Abstractions.Stripe;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Billing.Infrastructure.Stripe;

internal static class StripeServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IStripeClient"/> (typed HttpClient, retries inside the adapter) and
    /// <see cref="IStripeWebhookVerifier"/>. Options are read from <c>STRIPE_*</c> on first use; call
    /// <see cref="StripeOptions.FromConfiguration"/> at startup to fail fast on missing settings.
    /// </summary>
    public static IServiceCollection AddStripeClient(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => StripeOptions.FromConfiguration(sp.GetService<IConfiguration>() ?? configuration));
        services
            .AddHttpClient<IStripeClient, StripeRestClient>(client =>
            {
                // The adapter enforces a per-attempt timeout itself; HttpClient's would cut across retries.
                client.Timeout = Timeout.InfiniteTimeSpan;
            });
        services.TryAddSingleton<IStripeWebhookVerifier, StripeWebhookVerifier>();
        return services;
    }
}
