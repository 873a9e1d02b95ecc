using System.Text;
using Billing.Application.Abstractions.Stripe;
using Billing.Infrastructure.Stripe;
using Billing.TestFakes.Stripe;

namespace Billing.Infrastructure.Tests.Stripe;

public sealed class StripeWebhookSignatureTests
{
    private const string Secret = "whsec_test_secret_value";
    private static readonly byte[] Payload = Encoding.UTF8.GetBytes("""{"id":"evt_1","object":"event","type":"invoice.paid"}""");
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_750_000_000);
    private static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(300);

    private static StripeSignatureVerificationResult Verify(string? header, byte[]? payload = null, string secret = Secret) =>
        new StripeWebhookVerifier(new StripeOptions { SecretKey = "sk_test_x", WebhookSecret = secret, WebhookTolerance = Tolerance }, new ManualTimeProvider(Now))
            .Verify(payload ?? Payload, header);

    /// <summary>Computed here, independently of the verifier (HMAC-SHA256 over "{t}." + body, lowercase hex).</summary>
    private static string V1(byte[] payload, string secret, long timestamp) =>
        StripeFake.SignatureHeader(payload, secret, DateTimeOffset.FromUnixTimeSeconds(timestamp)).Split(",v1=")[1];

    [Fact]
    public void Valid_WhenSignedByTheFakeIndependently()
    {
        Assert.Equal(StripeSignatureVerificationResult.Valid, Verify(StripeFake.SignatureHeader(Payload, Secret, Now)));
    }

    [Fact]
    public void Valid_WhenAnyOfSeveralV1Matches_AndV0IsIgnored()
    {
        var good = V1(Payload, Secret, Now.ToUnixTimeSeconds());
        var other = V1(Payload, "whsec_old_secret", Now.ToUnixTimeSeconds());
        var header = $"t={Now.ToUnixTimeSeconds()},v1={other},v0=abc123, v1={good}";

        Assert.Equal(StripeSignatureVerificationResult.Valid, Verify(header));
    }

    [Fact]
    public void NoV1Signature_WhenOnlyV0IsPresent_EvenIfV0CarriesTheRightHmac()
    {
        var good = V1(Payload, Secret, Now.ToUnixTimeSeconds());

        Assert.Equal(StripeSignatureVerificationResult.NoV1Signature, Verify($"t={Now.ToUnixTimeSeconds()},v0={good}"));
    }

    [Fact]
    public void SignatureMismatch_WhenBodyIsTampered()
    {
        var header = StripeFake.SignatureHeader(Payload, Secret, Now);
        var tampered = Encoding.UTF8.GetBytes("""{"id":"evt_1","object":"event","type":"invoice.paid" }""");

        Assert.Equal(StripeSignatureVerificationResult.SignatureMismatch, Verify(header, tampered));
    }

    [Fact]
    public void SignatureMismatch_WithWrongSecret_OrNonHexSignature()
    {
        Assert.Equal(
            StripeSignatureVerificationResult.SignatureMismatch,
            Verify(StripeFake.SignatureHeader(Payload, "whsec_other", Now)));
        Assert.Equal(
            StripeSignatureVerificationResult.SignatureMismatch,
            Verify($"t={Now.ToUnixTimeSeconds()},v1=not-hex"));
    }

    [Fact]
    public void SignatureMismatch_WhenTimestampWasAltered()
    {
        var header = StripeFake.SignatureHeader(Payload, Secret, Now);
        var altered = header.Replace($"t={Now.ToUnixTimeSeconds()}", $"t={Now.ToUnixTimeSeconds() + 1}", StringComparison.Ordinal);

        Assert.Equal(StripeSignatureVerificationResult.SignatureMismatch, Verify(altered));
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    [InlineData(-86_400)]
    public void TimestampOutsideTolerance_ForStaleAndFutureTimestamps(int offsetSeconds)
    {
        var header = StripeFake.SignatureHeader(Payload, Secret, Now.AddSeconds(offsetSeconds));

        Assert.Equal(StripeSignatureVerificationResult.TimestampOutsideTolerance, Verify(header));
    }

    [Theory]
    [InlineData(-300)]
    [InlineData(300)]
    public void Valid_AtTheToleranceEdges(int offsetSeconds)
    {
        Assert.Equal(
            StripeSignatureVerificationResult.Valid,
            Verify(StripeFake.SignatureHeader(Payload, Secret, Now.AddSeconds(offsetSeconds))));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void MissingHeader(string? header)
    {
        Assert.Equal(StripeSignatureVerificationResult.MissingHeader, Verify(header));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("v1=abcdef")]
    [InlineData("t=abc,v1=abcdef")]
    [InlineData("t=-5,v1=abcdef")]
    [InlineData("t=1,t=2,v1=abcdef")]
    [InlineData("t=1750000000,,v1=abcdef")]
    [InlineData("=x,t=1750000000")]
    public void MalformedHeader(string header)
    {
        Assert.Equal(StripeSignatureVerificationResult.MalformedHeader, Verify(header));
    }

    [Fact]
    public void EmptySecret_IsAConfigurationError()
    {
        Assert.Throws<ArgumentException>(() => Verify(StripeFake.SignatureHeader(Payload, Secret, Now), secret: ""));
    }

    [Fact]
    public void TheFakeSigns_ExactlyAsStripeNetDoes()
    {
        var sdkHeader = global::Stripe.EventUtility.GenerateSignatureHeader(Encoding.UTF8.GetString(Payload), Secret, Now.ToUnixTimeSeconds());
        Assert.Equal(StripeSignatureVerificationResult.Valid, Verify(sdkHeader));
        Assert.Equal(StripeFake.SignatureHeader(Payload, Secret, Now), sdkHeader);
    }

    [Fact]
    public void Verifier_UsesConfiguredSecretToleranceAndClock()
    {
        var clock = new ManualTimeProvider(Now);
        var verifier = new StripeWebhookVerifier(
            new StripeOptions { SecretKey = "sk_test_x", WebhookSecret = Secret, WebhookTolerance = TimeSpan.FromSeconds(10) },
            clock);
        var header = StripeFake.SignatureHeader(Payload, Secret, Now);

        Assert.Equal(StripeSignatureVerificationResult.Valid, verifier.Verify(Payload, header));
        clock.Now = Now.AddSeconds(11);
        Assert.Equal(StripeSignatureVerificationResult.TimestampOutsideTolerance, verifier.Verify(Payload, header));
    }

    private sealed class ManualTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
