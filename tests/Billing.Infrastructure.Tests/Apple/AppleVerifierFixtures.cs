using Billing.Infrastructure.Apple;
using Billing.TestFakes.Apple;

namespace Billing.Infrastructure.Tests.Apple;

internal static class AppleVerifierFixtures
{
    public static AppleSignedDataVerifier ForPki(
        AppleTestPki pki,
        string environment = AppleOptions.ProductionEnvironment,
        bool allowSandbox = false,
        long? appAppleId = AppleTestPki.DefaultAppAppleId,
        string bundleId = AppleTestPki.DefaultBundleId) =>
        ForRoots([pki.RootPemPath], environment, allowSandbox, appAppleId, bundleId);

    public static AppleSignedDataVerifier ForRoots(
        IReadOnlyList<string> rootPaths,
        string environment = AppleOptions.ProductionEnvironment,
        bool allowSandbox = false,
        long? appAppleId = null,
        string bundleId = AppleTestPki.DefaultBundleId) =>
        new(
            new AppleOptions
            {
                BundleId = bundleId,
                Environment = environment,
                AllowSandbox = allowSandbox,
                AppAppleId = appAppleId,
                RootCertificatePaths = rootPaths,
            },
            TimeProvider.System);
}
