using Billing.Application.Abstractions.Apple;
using Billing.Infrastructure.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Billing.Infrastructure.Apple;

internal static class AppleServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="AppleOptions"/> (from the APPLE_* keys) <see cref="IAppleSignedDataVerifier"/> and the notification body reader as singletons.
    /// The embedded Apple root's fingerprint is checked right here, so a bad build fails at start-up. Options are read
    /// when first resolved, so configuration sources added later (e.g. by test hosts) are still seen.
    /// </summary>
    public static IServiceCollection AddAppleVerification(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        _ = AppleRootCertificates.AppleRootCaG3;

        services.TryAddSingleton(TimeProvider.System);
        services.AddSettings(AppleOptions.FromConfiguration, configuration);
        services.TryAddSingleton(provider => AppleSandboxPolicy.From(
            provider.GetRequiredService<AppleOptions>().Environment == AppleOptions.ProductionEnvironment,
            configuration[AppleSandboxPolicy.UsersVariable],
            configuration[AppleSandboxPolicy.MaxCreditsPerDayVariable]));
        services.TryAddSingleton<IAppleSignedDataVerifier>(provider => new AppleSignedDataVerifier(
            provider.GetRequiredService<AppleOptions>(),
            provider.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IAppleNotificationBodyReader, AppleNotificationBodyReader>();
        return services;
    }
}
