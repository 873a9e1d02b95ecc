using System.Security.Cryptography;
using Billing.Application.Abstractions.Apple;
using Billing.Infrastructure.Apple;
using Billing.TestFakes.Apple;

namespace Billing.Infrastructure.Tests.Apple;

/// <summary>Every refusal, against a throwaway PKI. Each test here would pass a verifier that skipped the check it names.</summary>
public sealed class AppleSignedDataVerifierTests : IDisposable
{
    private readonly AppleTestPki _pki = AppleTestPki.Create();

    public void Dispose() => _pki.Dispose();

    [Fact]
    public void Valid_transaction_verifies_and_decodes()
    {
        var token = Guid.NewGuid();
        var purchased = new DateTimeOffset(2026, 3, 1, 12, 0, 0, 123, TimeSpan.Zero);
        var jws = _pki.SignTransaction(new AppleTestTransaction
        {
            TransactionId = "2000000123",
            OriginalTransactionId = "2000000100",
            ProductId = "com.timepoint.flash.credits.50",
            AppAccountToken = token,
            PurchaseDate = purchased,
            Quantity = 2,
            Price = 9990,
        });

        var result = AppleVerifierFixtures.ForPki(_pki).VerifyTransaction(jws);

        Assert.True(result.IsValid, result.ToString());
        var transaction = result.Value;
        Assert.Equal("2000000123", transaction.TransactionId);
        Assert.Equal("2000000100", transaction.OriginalTransactionId);
        Assert.Equal("com.timepoint.flash.credits.50", transaction.ProductId);
        Assert.Equal(AppleTestPki.DefaultBundleId, transaction.BundleId);
        Assert.Equal("Production", transaction.Environment);
        Assert.Equal("Consumable", transaction.Type);
        Assert.Equal(token, transaction.AppAccountToken);
        Assert.Equal(purchased, transaction.PurchaseDate);
        Assert.Equal(2, transaction.Quantity);
        Assert.Equal(9990, transaction.Price);
        Assert.Equal("USD", transaction.Currency);
        Assert.Null(transaction.RevocationDate);
        Assert.Equal(AppleVerificationFailure.None, result.Failure);
    }

    [Fact]
    public void Repeated_verification_uses_the_cached_chain_and_still_verifies()
    {
        var verifier = AppleVerifierFixtures.ForPki(_pki);

        for (var i = 0; i < 3; i++)
        {
            var result = verifier.VerifyTransaction(_pki.SignTransaction(new AppleTestTransaction { TransactionId = $"{i}" }));
            Assert.True(result.IsValid, result.ToString());
            Assert.Equal($"{i}", result.Value.TransactionId);
        }
    }

    // ---- signature ----

    [Fact]
    public void Tampered_payload_is_refused()
    {
        var jws = _pki.SignTransaction(new AppleTestTransaction { Quantity = 1 });
        var tampered = AppleTestPki.TamperPayload(jws, json => json.Replace("\"quantity\":1", "\"quantity\":100", StringComparison.Ordinal));

        var result = AppleVerifierFixtures.ForPki(_pki).VerifyTransaction(tampered);

        Assert.Equal(AppleVerificationFailure.BadSignature, result.Failure);
    }

    [Fact]
    public void Signature_by_another_key_is_refused()
    {
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var jws = _pki.SignTransaction(new AppleTestTransaction(), new AppleJwsOptions { SigningKey = otherKey });

        var result = AppleVerifierFixtures.ForPki(_pki).VerifyTransaction(jws);

        Assert.Equal(AppleVerificationFailure.BadSignature, result.Failure);
    }

    [Fact]
    public void Truncated_signature_is_refused()
    {
        var jws = _pki.SignTransaction(new AppleTestTransaction());
        var lastDot = jws.LastIndexOf('.');
        var signature = System.Buffers.Text.Base64Url.DecodeFromChars(jws.AsSpan(lastDot + 1));
        var truncated = $"{jws[..lastDot]}.{System.Buffers.Text.Base64Url.EncodeToString(signature.AsSpan(0, 63))}";

        var result = AppleVerifierFixtures.ForPki(_pki).VerifyTransaction(truncated);

        Assert.Equal(AppleVerificationFailure.BadSignature, result.Failure);
    }

    // ---- algorithm (the signature stays a valid ES256 one, so only the alg check refuses) ----

    [Theory]
    [InlineData("none")]
    [InlineData("ES384")]
    [InlineData("HS256")]
    [InlineData("es256")]
    [InlineData("")]
    public void Alg_other_than_ES256_is_refused(string algorithm)
    {
        var jws = _pki.SignTransaction(new AppleTestTransaction(), new AppleJwsOptions { Algorithm = algorithm });

        var result = AppleVerifierFixtures.ForPki(_pki).VerifyTransaction(jws);

        Assert.Equal(AppleVerificationFailure.UnsupportedAlgorithm, result.Failure);
    }

    [Fact]
    public void Missing_alg_is_refused()
    {
        var jws = _pki.SignTransaction(new AppleTestTransaction(), new AppleJwsOptions { Algorithm = null });

        var result = AppleVerifierFixtures.ForPki(_pki).VerifyTransaction(jws);

        Assert.Equal(AppleVerificationFailure.UnsupportedAlgorithm, result.Failure);
    }

    [Fact]
    public void Alg_none_with_empty_signature_is_refused()
    {
        var jws = _pki.SignTransaction(new AppleTestTransaction(), new AppleJwsOptions { Algorithm = "none", EmptySignature = true });

        var result = AppleVerifierFixtures.ForPki(_pki).VerifyTransaction(jws);

        Assert.Equal(AppleVerificationFailure.UnsupportedAlgorithm, result.Failure);
    }

    [Fact]
    public void Leaf_key_not_on_P256_is_refused()
    {
        using var pki = AppleTestPki.Create(new AppleTestPkiOptions { LeafUsesP384 = true });
        var jws = pki.SignTransaction(new AppleTestTransaction());

        var result = AppleVerifierFixtures.ForPki(pki).VerifyTransaction(jws);

        Assert.Equal(AppleVerificationFailure.UnsupportedAlgorithm, result.Failure);
    }

    // ---- x5c shape ----

    [Fact]
    public void X5c_with_two_certificates_is_refused()
    {
        var jws = _pki.SignTransaction(new AppleTestTransaction(), new AppleJwsOptions { X5c = [_pki.X5c[0], _pki.X5c[1]] });

        var result = AppleVerifierFixtures.ForPki(_pki).VerifyTransaction(jws);

        Assert.Equal(AppleVerificationFailure.InvalidChainLength, result.Failure);
    }

    [Fact]
    public void X5c_with_four_certificates_is_refused()
    {
        var jws = _pki.SignTransaction(new AppleTestTransaction(), new AppleJwsOptions { X5c = [.. _pki.X5c, _pki.X5c[2]] });

        var result = AppleVerifierFixtures.ForPki(_pki).VerifyTransaction(jws);

        Assert.Equal(AppleVerificationFailure.InvalidChainLength, result.Failure);
    }

    [Fact]
    public void Missing_x5c_is_malformed()
    {
        var jws = _pki.SignTransaction(new AppleTestTransaction(), new AppleJwsOptions { OmitX5c = true });

        var result = AppleVerifierFixtures.ForPki(_pki).VerifyTransaction(jws);

        Assert.Equal(AppleVerificationFailure.Malformed, result.Failure);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Undecodable_certificate_in_x5c_is_refused(int slot)
    {
        var x5c = _pki.X5c.ToArray();
        x5c[slot] = Convert.ToBase64String([0x30, 0x03, 0x02, 0x01, 0x01]);
        var jws = _pki.SignTransaction(new AppleTestTransaction(), new AppleJwsOptions { X5c = x5c });

        var result = AppleVerifierFixtures.ForPki(_pki).VerifyTransaction(jws);

        Assert.Equal(AppleVerificationFailure.InvalidCertificate, result.Failure);
    }

    // ---- chain ----

    [Fact]
    public void Chain_to_a_look_alike_root_is_refused_even_with_our_root_in_slot_2()
    {
        using var lookAlike = _pki.CreateLookAlike();
        Assert.Equal(_pki.Root.SubjectName.Name, lookAlike.Root.SubjectName.Name);
        var jws = lookAlike.SignTransaction(
            new AppleTestTransaction(),
            new AppleJwsOptions { X5c = [lookAlike.X5c[0], lookAlike.X5c[1], _pki.X5c[2]] });

        var result = AppleVerifierFixtures.ForPki(_pki).VerifyTransaction(jws);

        Assert.Equal(AppleVerificationFailure.UntrustedChain, result.Failure);
    }

    [Fact]
    public void Chain_to_a_look_alike_root_carried_in_the_JWS_is_refused()
    {
        using var lookAlike = _pki.CreateLookAlike();
        var jws = lookAlike.SignTransaction(new AppleTestTransaction());

        var result = AppleVerifierFixtures.ForPki(_pki).VerifyTransaction(jws);

        Assert.Equal(AppleVerificationFailure.UntrustedChain, result.Failure);
    }

    [Fact]
    public void Third_x5c_certificate_is_ignored()
    {
        using var unrelated = AppleTestPki.Create();
        var jws = _pki.SignTransaction(new AppleTestTransaction(), new AppleJwsOptions { X5c = [_pki.X5c[0], _pki.X5c[1], unrelated.X5c[2]] });

        var result = AppleVerifierFixtures.ForPki(_pki).VerifyTransaction(jws);

        Assert.True(result.IsValid, result.ToString());
    }

    [Fact]
    public void Leaf_without_Apple_OID_is_refused()
    {
        using var pki = AppleTestPki.Create(new AppleTestPkiOptions { LeafWithoutAppleOid = true });

        var result = AppleVerifierFixtures.ForPki(pki).VerifyTransaction(pki.SignTransaction(new AppleTestTransaction()));

        Assert.Equal(AppleVerificationFailure.MissingAppleOid, result.Failure);
    }

    [Fact]
    public void Intermediate_without_Apple_OID_is_refused()
    {
        using var pki = AppleTestPki.Create(new AppleTestPkiOptions { IntermediateWithoutAppleOid = true });

        var result = AppleVerifierFixtures.ForPki(pki).VerifyTransaction(pki.SignTransaction(new AppleTestTransaction()));

        Assert.Equal(AppleVerificationFailure.MissingAppleOid, result.Failure);
    }

    [Fact]
    public void Intermediate_that_is_not_a_CA_is_refused()
    {
        using var pki = AppleTestPki.Create(new AppleTestPkiOptions { IntermediateNotCa = true });

        var result = AppleVerifierFixtures.ForPki(pki).VerifyTransaction(pki.SignTransaction(new AppleTestTransaction()));

        Assert.Equal(AppleVerificationFailure.IntermediateNotCa, result.Failure);
    }

    [Fact]
    public void Chain_must_run_through_the_given_intermediate()
    {
        // The leaf's real issuer lacks the WWDR OID but is (mis)configured as a trusted certificate, so X509Chain
        // finds it in the trust store rather than using x5c[1]. x5c[1] is an OID-bearing intermediate that did not
        // issue the leaf: the OID checks on x5c pass, and only the "chain goes through x5c[1]" check refuses.
        using var noOid = AppleTestPki.Create(new AppleTestPkiOptions { IntermediateWithoutAppleOid = true });
        var anchorPath = Path.Combine(Path.GetTempPath(), $"apple-test-anchor-{Guid.NewGuid():N}.pem");
        File.WriteAllText(anchorPath, noOid.Intermediate.ExportCertificatePem());
        try
        {
            var verifier = AppleVerifierFixtures.ForRoots([anchorPath, noOid.RootPemPath], appAppleId: null);
            var jws = noOid.SignTransaction(new AppleTestTransaction(), new AppleJwsOptions { X5c = [noOid.X5c[0], _pki.X5c[1], noOid.X5c[2]] });

            var result = verifier.VerifyTransaction(jws);

            Assert.Equal(AppleVerificationFailure.UntrustedChain, result.Failure);
        }
        finally
        {
            File.Delete(anchorPath);
        }
    }

    // ---- validity at signedDate ----

    [Fact]
    public void Leaf_expired_at_signedDate_is_refused()
    {
        using var pki = AppleTestPki.Create(AppleTestPkiOptions.ExpiredLeaf);

        var result = AppleVerifierFixtures.ForPki(pki).VerifyTransaction(pki.SignTransaction(new AppleTestTransaction()));

        Assert.Equal(AppleVerificationFailure.CertificateExpiredAtSignedDate, result.Failure);
    }

    [Fact]
    public void SignedDate_before_the_leaf_was_valid_is_refused_even_though_the_leaf_is_valid_now()
    {
        var jws = _pki.SignTransaction(new AppleTestTransaction { SignedDate = DateTimeOffset.UtcNow.AddYears(-2) });

        var result = AppleVerifierFixtures.ForPki(_pki).VerifyTransaction(jws);

        Assert.Equal(AppleVerificationFailure.CertificateExpiredAtSignedDate, result.Failure);
    }

    [Fact]
    public void Old_JWS_verifies_when_signedDate_is_inside_the_leaf_validity_although_now_is_not()
    {
        using var pki = AppleTestPki.Create(new AppleTestPkiOptions
        {
            LeafNotBefore = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero),
            LeafNotAfter = new DateTimeOffset(2021, 1, 1, 0, 0, 0, TimeSpan.Zero),
        });
        var jws = pki.SignTransaction(new AppleTestTransaction { SignedDate = new DateTimeOffset(2020, 6, 1, 0, 0, 0, TimeSpan.Zero) });

        var result = AppleVerifierFixtures.ForPki(pki).VerifyTransaction(jws);

        Assert.True(result.IsValid, result.ToString());
    }

    [Fact]
    public void Cached_chain_is_still_checked_against_each_signedDate()
    {
        using var pki = AppleTestPki.Create(new AppleTestPkiOptions
        {
            LeafNotBefore = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero),
            LeafNotAfter = new DateTimeOffset(2021, 1, 1, 0, 0, 0, TimeSpan.Zero),
        });
        var verifier = AppleVerifierFixtures.ForPki(pki);
        var inside = pki.SignTransaction(new AppleTestTransaction { SignedDate = new DateTimeOffset(2020, 6, 1, 0, 0, 0, TimeSpan.Zero) });
        var after = pki.SignTransaction(new AppleTestTransaction { SignedDate = new DateTimeOffset(2021, 6, 1, 0, 0, 0, TimeSpan.Zero) });
        var before = pki.SignTransaction(new AppleTestTransaction { SignedDate = new DateTimeOffset(2019, 6, 1, 0, 0, 0, TimeSpan.Zero) });

        Assert.True(verifier.VerifyTransaction(inside).IsValid);
        Assert.Equal(AppleVerificationFailure.CertificateExpiredAtSignedDate, verifier.VerifyTransaction(after).Failure);
        Assert.Equal(AppleVerificationFailure.CertificateExpiredAtSignedDate, verifier.VerifyTransaction(before).Failure);
    }

    [Fact]
    public void Cached_chain_still_checks_each_signature()
    {
        var verifier = AppleVerifierFixtures.ForPki(_pki);
        Assert.True(verifier.VerifyTransaction(_pki.SignTransaction(new AppleTestTransaction())).IsValid);
        var tampered = AppleTestPki.TamperPayload(
            _pki.SignTransaction(new AppleTestTransaction { TransactionId = "1" }),
            json => json.Replace("\"transactionId\":\"1\"", "\"transactionId\":\"2\"", StringComparison.Ordinal));

        Assert.Equal(AppleVerificationFailure.BadSignature, verifier.VerifyTransaction(tampered).Failure);
    }

    // ---- app identity ----

    [Fact]
    public void Wrong_bundle_is_refused()
    {
        var jws = _pki.SignTransaction(new AppleTestTransaction { BundleId = "com.timepoint.other" });

        var result = AppleVerifierFixtures.ForPki(_pki).VerifyTransaction(jws);

        Assert.Equal(AppleVerificationFailure.WrongBundle, result.Failure);
    }

    [Fact]
    public void Missing_bundle_is_refused()
    {
        var jws = _pki.SignTransaction(new AppleTestTransaction { BundleId = null });

        var result = AppleVerifierFixtures.ForPki(_pki).VerifyTransaction(jws);

        Assert.Equal(AppleVerificationFailure.WrongBundle, result.Failure);
    }

    [Fact]
    public void Sandbox_transaction_is_refused_by_Production_unless_Sandbox_is_allowed()
    {
        var jws = _pki.SignTransaction(new AppleTestTransaction { Environment = "Sandbox" });

        var strict = AppleVerifierFixtures.ForPki(_pki).VerifyTransaction(jws);
        var lenient = AppleVerifierFixtures.ForPki(_pki, allowSandbox: true).VerifyTransaction(jws);

        Assert.Equal(AppleVerificationFailure.WrongEnvironment, strict.Failure);
        Assert.True(lenient.IsValid, lenient.ToString());
        Assert.Equal("Sandbox", lenient.Value.Environment);
    }

    [Fact]
    public void Production_transaction_is_refused_by_a_Sandbox_verifier()
    {
        var jws = _pki.SignTransaction(new AppleTestTransaction());

        var result = AppleVerifierFixtures.ForPki(_pki, environment: AppleOptions.SandboxEnvironment).VerifyTransaction(jws);

        Assert.Equal(AppleVerificationFailure.WrongEnvironment, result.Failure);
    }

    [Theory]
    [InlineData("Xcode")]
    [InlineData("LocalTesting")]
    [InlineData("production")]
    [InlineData(null)]
    public void Other_environments_are_refused_even_with_Sandbox_allowed(string? environment)
    {
        var jws = _pki.SignTransaction(new AppleTestTransaction { Environment = environment });

        var result = AppleVerifierFixtures.ForPki(_pki, allowSandbox: true).VerifyTransaction(jws);

        Assert.Equal(AppleVerificationFailure.WrongEnvironment, result.Failure);
    }

    [Fact]
    public void Renewal_info_in_the_wrong_environment_is_refused()
    {
        var jws = _pki.SignRenewalInfo(new AppleTestRenewalInfo { Environment = "Sandbox" });

        var result = AppleVerifierFixtures.ForPki(_pki).VerifyRenewalInfo(jws);

        Assert.Equal(AppleVerificationFailure.WrongEnvironment, result.Failure);
    }

    [Fact]
    public void Valid_renewal_info_verifies_and_decodes()
    {
        var grace = new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero);
        var jws = _pki.SignRenewalInfo(new AppleTestRenewalInfo { AutoRenewStatus = 0, ExpirationIntent = 2, GracePeriodExpiresDate = grace });

        var result = AppleVerifierFixtures.ForPki(_pki).VerifyRenewalInfo(jws);

        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(0, result.Value.AutoRenewStatus);
        Assert.Equal(2, result.Value.ExpirationIntent);
        Assert.Equal(grace, result.Value.GracePeriodExpiresDate);
        Assert.Equal("com.timepoint.flash.sub.explorer", result.Value.AutoRenewProductId);
    }

    // ---- malformed input ----

    [Theory]
    [InlineData("")]
    [InlineData("a.b.c")]
    [InlineData("abc")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData(".eyJ9.")]
    [InlineData("e30.e30.!!!")]
    public void Garbage_is_malformed(string token)
    {
        var result = AppleVerifierFixtures.ForPki(_pki).VerifyTransaction(token);

        Assert.Equal(AppleVerificationFailure.Malformed, result.Failure);
    }

    [Fact]
    public void Failure_message_never_echoes_the_token()
    {
        var jws = _pki.SignTransaction(new AppleTestTransaction { BundleId = "com.attacker.bundle" });

        var result = AppleVerifierFixtures.ForPki(_pki).VerifyTransaction(jws);

        Assert.Equal(AppleVerificationFailure.WrongBundle, result.Failure);
        foreach (var segment in jws.Split('.'))
        {
            Assert.DoesNotContain(segment, result.FailureMessage, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("com.attacker.bundle", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Oversized_token_is_malformed()
    {
        var jws = _pki.Sign($"{{\"padding\":\"{new string('x', AppleCompactJws.MaxLength)}\"}}");

        var result = AppleVerifierFixtures.ForPki(_pki).VerifyTransaction(jws);

        Assert.Equal(AppleVerificationFailure.Malformed, result.Failure);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("not json")]
    [InlineData("{\"signedDate\":\"1700000000000\"}")]
    public void Payload_that_is_not_a_JSON_object_with_a_numeric_signedDate_is_malformed(string payload)
    {
        var result = AppleVerifierFixtures.ForPki(_pki).VerifyTransaction(_pki.Sign(payload));

        Assert.Equal(AppleVerificationFailure.Malformed, result.Failure);
    }

    [Theory]
    [InlineData("\"price\":2990", "\"price\":\"2.99\"")]
    [InlineData("\"price\":2990", "\"price\":2990.5")]
    [InlineData("\"quantity\":1", "\"quantity\":\"1\"")]
    [InlineData("\"transactionId\":\"2000000000000001\"", "\"transactionId\":2000000000000001")]
    [InlineData("\"type\":\"Consumable\"", "\"type\":[\"Consumable\"]")]
    public void Field_of_the_wrong_JSON_type_is_malformed(string original, string replacement)
    {
        var json = new AppleTestTransaction().ToJson();
        Assert.Contains(original, json, StringComparison.Ordinal);

        var result = AppleVerifierFixtures.ForPki(_pki).VerifyTransaction(_pki.Sign(json.Replace(original, replacement, StringComparison.Ordinal)));

        Assert.Equal(AppleVerificationFailure.Malformed, result.Failure);
        Assert.DoesNotContain("2.99", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void AppAccountToken_that_is_not_a_UUID_is_malformed()
    {
        var json = new AppleTestTransaction { AppAccountToken = Guid.Empty }.ToJson()
            .Replace(Guid.Empty.ToString(), "not-a-uuid", StringComparison.Ordinal);

        var result = AppleVerifierFixtures.ForPki(_pki).VerifyTransaction(_pki.Sign(json));

        Assert.Equal(AppleVerificationFailure.Malformed, result.Failure);
    }
}
