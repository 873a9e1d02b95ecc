using System.Text.Json.Nodes;
using Billing.Application.Abstractions.Apple;
using Billing.Infrastructure.Apple;
using Billing.TestFakes.Apple;

namespace Billing.Infrastructure.Tests.Apple;

/// <summary>Apple's own test data (TestData/apple-vectors/apple-test) with the answers of Apple's library tests (apple.md C.2).</summary>
public sealed class AppleOfficialVectorTests
{
    private const string ExampleBundle = "com.example";

    private static AppleSignedDataVerifier TestCaVerifier(
        string environment = AppleOptions.SandboxEnvironment,
        string bundleId = ExampleBundle,
        long? appAppleId = null,
        bool allowSandbox = false) =>
        AppleVerifierFixtures.ForRoots([AppleVectors.TestCaDerPath], environment, allowSandbox, appAppleId, bundleId);

    private static string MockSignedData(string name) => AppleVectors.ReadToken("apple-test", "mock_signed_data", name);

    [Fact]
    public void TransactionInfo_verifies_in_Sandbox_for_com_example()
    {
        var result = TestCaVerifier().VerifyTransaction(MockSignedData("transactionInfo"));

        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(ExampleBundle, result.Value.BundleId);
        Assert.Equal("Sandbox", result.Value.Environment);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1672956154000), result.Value.SignedDate);
    }

    [Fact]
    public void TransactionInfo_is_refused_by_a_Production_verifier()
    {
        var result = TestCaVerifier(environment: AppleOptions.ProductionEnvironment).VerifyTransaction(MockSignedData("transactionInfo"));

        Assert.Equal(AppleVerificationFailure.WrongEnvironment, result.Failure);
    }

    [Fact]
    public void TransactionInfo_verifies_in_Production_when_Sandbox_is_allowed()
    {
        var result = TestCaVerifier(environment: AppleOptions.ProductionEnvironment, allowSandbox: true)
            .VerifyTransaction(MockSignedData("transactionInfo"));

        Assert.True(result.IsValid, result.ToString());
    }

    [Fact]
    public void TransactionInfo_is_refused_for_another_bundle()
    {
        var result = TestCaVerifier(bundleId: "com.example.x").VerifyTransaction(MockSignedData("transactionInfo"));

        Assert.Equal(AppleVerificationFailure.WrongBundle, result.Failure);
    }

    [Fact]
    public void Apple_test_data_is_untrusted_unless_testCA_is_configured()
    {
        var verifier = AppleVerifierFixtures.ForRoots([], AppleOptions.SandboxEnvironment, bundleId: ExampleBundle);

        var result = verifier.VerifyTransaction(MockSignedData("transactionInfo"));

        Assert.Equal(AppleVerificationFailure.UntrustedChain, result.Failure);
    }

    [Fact]
    public void RenewalInfo_verifies_in_Sandbox()
    {
        var result = TestCaVerifier().VerifyRenewalInfo(MockSignedData("renewalInfo"));

        Assert.True(result.IsValid, result.ToString());
        Assert.Equal("Sandbox", result.Value.Environment);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1672956154000), result.Value.SignedDate);
    }

    [Fact]
    public void RenewalInfo_is_refused_by_a_Production_verifier()
    {
        var result = TestCaVerifier(environment: AppleOptions.ProductionEnvironment).VerifyRenewalInfo(MockSignedData("renewalInfo"));

        Assert.Equal(AppleVerificationFailure.WrongEnvironment, result.Failure);
    }

    [Fact]
    public void TestNotification_verifies_in_Sandbox()
    {
        var result = TestCaVerifier(appAppleId: 1234).VerifyNotification(MockSignedData("testNotification"));

        Assert.True(result.IsValid, result.ToString());
        var notification = result.Value;
        Assert.Equal("TEST", notification.NotificationType);
        Assert.Equal("9ad56bd2-0bc6-42e0-af24-fd996d87a1e6", notification.NotificationUuid);
        Assert.Equal(1234, notification.AppAppleId);
        Assert.NotNull(notification.Data);
        Assert.Equal(ExampleBundle, notification.Data.BundleId);
        Assert.Null(notification.Data.Transaction);
        Assert.Null(notification.Data.RenewalInfo);
    }

    [Fact]
    public void TestNotification_in_Production_with_the_right_appAppleId_fails_on_environment()
    {
        var result = TestCaVerifier(environment: AppleOptions.ProductionEnvironment, appAppleId: 1234)
            .VerifyNotification(MockSignedData("testNotification"));

        Assert.Equal(AppleVerificationFailure.WrongEnvironment, result.Failure);
    }

    [Fact]
    public void TestNotification_in_Production_with_another_appAppleId_fails_on_app_identity()
    {
        var result = TestCaVerifier(environment: AppleOptions.ProductionEnvironment, appAppleId: 1235)
            .VerifyNotification(MockSignedData("testNotification"));

        Assert.Equal(AppleVerificationFailure.WrongAppAppleId, result.Failure);
    }

    [Fact]
    public void WrongBundleId_notification_is_refused()
    {
        var result = TestCaVerifier().VerifyNotification(MockSignedData("wrongBundleId"));

        Assert.Equal(AppleVerificationFailure.WrongBundle, result.Failure);
    }

    [Fact]
    public void MissingX5CHeaderClaim_is_malformed()
    {
        var result = TestCaVerifier().VerifyNotification(MockSignedData("missingX5CHeaderClaim"));

        Assert.Equal(AppleVerificationFailure.Malformed, result.Failure);
    }

    [Fact]
    public void LegacyTransaction_receipt_is_not_a_JWS()
    {
        var result = TestCaVerifier().VerifyTransaction(MockSignedData("legacyTransaction"));

        Assert.Equal(AppleVerificationFailure.Malformed, result.Failure);
    }

    [Theory]
    [InlineData("xcode-signed-transaction", AppleOptions.ProductionEnvironment)]
    [InlineData("xcode-signed-transaction", AppleOptions.SandboxEnvironment)]
    [InlineData("xcode-signed-renewal-info", AppleOptions.ProductionEnvironment)]
    [InlineData("xcode-signed-app-transaction", AppleOptions.ProductionEnvironment)]
    public void Xcode_signed_data_is_refused(string file, string environment)
    {
        var verifier = TestCaVerifier(environment: environment, bundleId: "com.example.naturelab.backyardbirds.example");
        var token = AppleVectors.ReadToken("apple-test", "xcode", file);

        var asTransaction = verifier.VerifyTransaction(token);
        var asRenewal = verifier.VerifyRenewalInfo(token);

        // One self-signed certificate in x5c: not an App Store chain.
        Assert.Equal(AppleVerificationFailure.InvalidChainLength, asTransaction.Failure);
        Assert.Equal(AppleVerificationFailure.InvalidChainLength, asRenewal.Failure);
    }

    [Fact]
    public void Valid_test_chain_minted_with_Apple_test_leaf_key_verifies()
    {
        var token = MintWithAppleTestKey("testLeaf.pem", "testIntermediate.pem");

        var result = TestCaVerifier().VerifyTransaction(token);

        Assert.True(result.IsValid, result.ToString());
    }

    [Fact]
    public void Chain_with_invalid_leaf_OID_is_refused()
    {
        var token = MintWithAppleTestKey("testInvalidOIDLeaf.pem", "testIntermediate.pem");

        var result = TestCaVerifier().VerifyTransaction(token);

        Assert.Equal(AppleVerificationFailure.MissingAppleOid, result.Failure);
    }

    [Fact]
    public void Chain_with_invalid_intermediate_OID_is_refused()
    {
        var token = MintWithAppleTestKey("testInvalidIntermediateLeaf.pem", "testInvalidOIDIntermediate.pem");

        var result = TestCaVerifier().VerifyTransaction(token);

        Assert.Equal(AppleVerificationFailure.MissingAppleOid, result.Failure);
    }

    // Every test leaf shares testLeaf.key, so the signature is valid and only the chain checks can refuse.
    private static string MintWithAppleTestKey(string leafPem, string intermediatePem)
    {
        using var key = AppleVectors.TestLeafKey();
        var payload = new JsonObject
        {
            ["bundleId"] = ExampleBundle,
            ["environment"] = "Sandbox",
            ["transactionId"] = "1",
            ["signedDate"] = new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(),
        };
        string[] x5c =
        [
            AppleVectors.TestCertificateBase64(leafPem),
            AppleVectors.TestCertificateBase64(intermediatePem),
            AppleVectors.TestCertificateBase64("testCA.pem"),
        ];
        return AppleTestPki.SignCompactJws(payload.ToJsonString(), key, x5c);
    }
}
