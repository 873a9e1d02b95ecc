using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Billing.Application.Abstractions.Apple;
using Billing.Infrastructure.Apple;

namespace Billing.Infrastructure.Tests.Apple;

/// <summary>The real Apple chain (Apple Root CA - G3 -> WWDR G6 -> receipt-signing leaf 2025-2027) against the embedded root.</summary>
public sealed class AppleRealChainTests
{
    private static readonly DateTimeOffset InsideLeafValidity = DateTimeOffset.FromUnixTimeSeconds(1761962975); // 2025-11-01

    [Fact]
    public void Embedded_root_matches_the_pinned_fingerprint_and_the_shared_copy()
    {
        var embedded = AppleRootCertificates.AppleRootCaG3;
        using var shared = AppleVectors.RealCertificate("AppleRootCA-G3.der");

        var fingerprint = Convert.ToHexString(SHA256.HashData(embedded.RawData));
        Assert.Equal(AppleRootCertificates.AppleRootCaG3Sha256.Replace(":", string.Empty, StringComparison.Ordinal), fingerprint);
        Assert.Equal(shared.RawData, embedded.RawData);
        Assert.Contains("CN=Apple Root CA - G3", embedded.Subject, StringComparison.Ordinal);
    }

    [Fact]
    public void Pinning_refuses_a_certificate_with_another_fingerprint()
    {
        var testCa = File.ReadAllBytes(AppleVectors.TestCaDerPath);

        Assert.Throws<InvalidOperationException>(() => AppleRootCertificates.LoadPinned(testCa, AppleRootCertificates.AppleRootCaG3Sha256));
    }

    [Fact]
    public void Real_chain_builds_to_the_embedded_root_with_X509Chain()
    {
        using var leaf = AppleVectors.RealCertificate("ReceiptSigning-leaf-2025-2027.der");
        using var intermediate = AppleVectors.RealCertificate("AppleWWDRCA-G6.der");
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(AppleRootCertificates.AppleRootCaG3);
        chain.ChainPolicy.ExtraStore.Add(intermediate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = InsideLeafValidity.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;

        var built = chain.Build(leaf);

        Assert.True(built, string.Join(", ", chain.ChainStatus.Select(status => status.Status)));
        Assert.Equal(3, chain.ChainElements.Count);
        Assert.Equal(AppleRootCertificates.AppleRootCaG3.RawData, chain.ChainElements[2].Certificate.RawData);
        Assert.NotNull(leaf.Extensions[AppleCertificateChainValidator.LeafOid]);
        Assert.NotNull(intermediate.Extensions[AppleCertificateChainValidator.IntermediateOid]);
    }

    [Fact]
    public void Real_chain_passes_the_verifier_chain_checks_inside_the_leaf_validity()
    {
        using var leaf = AppleVectors.RealCertificate("ReceiptSigning-leaf-2025-2027.der");
        using var intermediate = AppleVectors.RealCertificate("AppleWWDRCA-G6.der");
        var validator = new AppleCertificateChainValidator(AppleRootCertificates.LoadTrustAnchors([]));

        var result = validator.Validate(leaf, intermediate, InsideLeafValidity);

        Assert.Equal(AppleVerificationFailure.None, result.Failure);
        Assert.NotNull(result.Chain);
        Assert.Equal(new DateTimeOffset(leaf.NotAfter), result.Chain.NotAfter);
    }

    [Theory]
    [InlineData("2027-12-01T00:00:00Z")]
    [InlineData("2025-09-01T00:00:00Z")]
    public void Real_chain_is_refused_outside_the_leaf_validity(string at)
    {
        using var leaf = AppleVectors.RealCertificate("ReceiptSigning-leaf-2025-2027.der");
        using var intermediate = AppleVectors.RealCertificate("AppleWWDRCA-G6.der");
        var validator = new AppleCertificateChainValidator(AppleRootCertificates.LoadTrustAnchors([]));

        var result = validator.Validate(leaf, intermediate, DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(AppleVerificationFailure.CertificateExpiredAtSignedDate, result.Failure);
    }

    [Fact]
    public void Real_chain_is_untrusted_when_only_the_test_root_is_trusted()
    {
        using var leaf = AppleVectors.RealCertificate("ReceiptSigning-leaf-2025-2027.der");
        using var intermediate = AppleVectors.RealCertificate("AppleWWDRCA-G6.der");
        var validator = new AppleCertificateChainValidator(AppleRootCertificates.LoadFromFile(AppleVectors.TestCaDerPath));

        var result = validator.Validate(leaf, intermediate, InsideLeafValidity);

        Assert.Equal(AppleVerificationFailure.UntrustedChain, result.Failure);
    }
}
