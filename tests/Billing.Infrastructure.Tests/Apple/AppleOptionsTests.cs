using Billing.Application.Abstractions.Apple;
using Billing.Infrastructure.Apple;
using Billing.TestFakes.Apple;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.Infrastructure.Tests.Apple;

public sealed class AppleOptionsTests
{
    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    [Fact]
    public void Defaults_are_the_Flash_bundle_in_Production()
    {
        var options = AppleOptions.FromConfiguration(Configuration([]));

        Assert.Equal("com.timepoint.flash", options.BundleId);
        Assert.Equal("Production", options.Environment);
        Assert.False(options.AllowSandbox);
        Assert.Null(options.AppAppleId);
        Assert.Empty(options.RootCertificatePaths);
    }

    [Fact]
    public void Reads_the_APPLE_keys()
    {
        var options = AppleOptions.FromConfiguration(Configuration(new()
        {
            ["APPLE_BUNDLE_ID"] = "com.example",
            ["APPLE_APP_STORE_ENVIRONMENT"] = "sandbox",
            ["APPLE_ALLOW_SANDBOX"] = "True",
            ["APPLE_APP_APPLE_ID"] = "1234",
            ["APPLE_ROOT_CERTIFICATES"] = $"/a.pem, /b.der;/c.pem{Path.PathSeparator}/d.cer",
        }));

        Assert.Equal("com.example", options.BundleId);
        Assert.Equal("Sandbox", options.Environment);
        Assert.True(options.AllowSandbox);
        Assert.Equal(1234, options.AppAppleId);
        Assert.Equal(["/a.pem", "/b.der", "/c.pem", "/d.cer"], options.RootCertificatePaths);
    }

    [Theory]
    [InlineData("APPLE_APP_STORE_ENVIRONMENT", "Xcode")]
    [InlineData("APPLE_APP_STORE_ENVIRONMENT", "LocalTesting")]
    [InlineData("APPLE_ALLOW_SANDBOX", "yes")]
    [InlineData("APPLE_APP_APPLE_ID", "-5")]
    public void Unsafe_or_invalid_values_throw(string key, string value)
    {
        Assert.Throws<InvalidOperationException>(() => AppleOptions.FromConfiguration(Configuration(new() { [key] = value })));
    }

    [Fact]
    public void Missing_root_certificate_file_throws_at_construction()
    {
        var options = new AppleOptions { RootCertificatePaths = ["/nonexistent/root.pem"] };

        Assert.Throws<InvalidOperationException>(() => new AppleSignedDataVerifier(options, TimeProvider.System));
    }

    [Fact]
    public void AddAppleVerification_registers_a_singleton_verifier_that_trusts_configured_roots()
    {
        using var pki = AppleTestPki.Create();
        var configuration = Configuration(pki.VerifierConfiguration());
        var services = new ServiceCollection().AddAppleVerification(configuration);
        using var provider = services.BuildServiceProvider();

        var verifier = provider.GetRequiredService<IAppleSignedDataVerifier>();
        var result = verifier.VerifyTransaction(pki.SignTransaction(new AppleTestTransaction()));

        Assert.Same(verifier, provider.GetRequiredService<IAppleSignedDataVerifier>());
        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(AppleTestPki.DefaultAppAppleId, provider.GetRequiredService<AppleOptions>().AppAppleId);
    }

    [Fact]
    public void Roots_can_be_given_as_DER_files()
    {
        var verifier = AppleVerifierFixtures.ForRoots([AppleVectors.TestCaDerPath], AppleOptions.SandboxEnvironment, bundleId: "com.example");

        var result = verifier.VerifyTransaction(AppleVectors.ReadToken("apple-test", "mock_signed_data", "transactionInfo"));

        Assert.True(result.IsValid, result.ToString());
    }
}
