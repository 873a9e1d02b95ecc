using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace Billing.TestFakes.Apple;

/// <summary>
/// A throwaway Apple-shaped PKI (root CA -> intermediate CA with the WWDR OID -> leaf with the receipt-signing OID)
/// that signs payloads as App Store compact JWS (ES256, x5c = [leaf, intermediate, root]).
/// Point the verifier at it with <see cref="RootPemPath"/> (APPLE_ROOT_CERTIFICATES) or <see cref="VerifierConfiguration"/>.
/// </summary>
/// <example>
/// <code>
/// using var pki = AppleTestPki.Create();
/// var config = pki.VerifierConfiguration();                       // APPLE_* keys for an in-memory IConfiguration
/// var jws = pki.SignTransaction(new AppleTestTransaction { TransactionId = "42", AppAccountToken = userToken });
/// </code>
/// </example>
public sealed class AppleTestPki : IDisposable
{
    public const string DefaultBundleId = "com.timepoint.flash";
    public const long DefaultAppAppleId = 1234567890;

    public const string LeafOid = "1.2.840.113635.100.6.11.1";
    public const string IntermediateOid = "1.2.840.113635.100.6.2.1";

    // Wide CA windows so tests can move the leaf anywhere in time (CertificateRequest needs nothing outside them).
    private static readonly DateTimeOffset CaNotBefore = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset CaNotAfter = new(2090, 1, 1, 0, 0, 0, TimeSpan.Zero);

    // ASN.1 NULL, the value Apple gives both marker extensions.
    private static readonly byte[] Asn1Null = [0x05, 0x00];

    private readonly ECDsa _rootKey;
    private readonly ECDsa _intermediateKey;
    private readonly ECDsa _leafKey;
    private string? _rootPemPath;

    private AppleTestPki(AppleTestPkiOptions options)
    {
        Options = options;
        _rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _leafKey = ECDsa.Create(options.LeafUsesP384 ? ECCurve.NamedCurves.nistP384 : ECCurve.NamedCurves.nistP256);

        Root = CreateRoot(options.RootSubject);
        Intermediate = CreateIntermediate(options);
        Leaf = CreateLeaf(options);
        X5c = [Convert.ToBase64String(Leaf.RawData), Convert.ToBase64String(Intermediate.RawData), Convert.ToBase64String(Root.RawData)];
    }

    public AppleTestPkiOptions Options { get; }

    /// <summary>Public root certificate (no private key).</summary>
    public X509Certificate2 Root { get; }

    public X509Certificate2 Intermediate { get; }

    public X509Certificate2 Leaf { get; }

    /// <summary>The leaf's private key, which signs the JWS.</summary>
    public ECDsa LeafKey => _leafKey;

    /// <summary>[leaf, intermediate, root] as the x5c header carries them (standard base64 DER).</summary>
    public IReadOnlyList<string> X5c { get; }

    public string RootPem => Root.ExportCertificatePem();

    /// <summary>The root as a PEM file in the temp folder (written on first use, deleted on dispose): the value for APPLE_ROOT_CERTIFICATES.</summary>
    public string RootPemPath
    {
        get
        {
            if (_rootPemPath is null)
            {
                var path = Path.Combine(Path.GetTempPath(), $"apple-test-root-{Guid.NewGuid():N}.pem");
                File.WriteAllText(path, RootPem);
                _rootPemPath = path;
            }

            return _rootPemPath;
        }
    }

    public static AppleTestPki Create(AppleTestPkiOptions? options = null) => new(options ?? new AppleTestPkiOptions());

    /// <summary>Same subject names and options, fresh keys: a root that looks like ours but is not.</summary>
    public AppleTestPki CreateLookAlike() => new(Options);

    /// <summary>APPLE_* configuration that makes the verifier trust this PKI's root (for AddInMemoryCollection).</summary>
    public Dictionary<string, string?> VerifierConfiguration(
        string bundleId = DefaultBundleId,
        string environment = "Production",
        bool allowSandbox = false,
        long? appAppleId = DefaultAppAppleId) => new()
        {
            ["APPLE_BUNDLE_ID"] = bundleId,
            ["APPLE_APP_STORE_ENVIRONMENT"] = environment,
            ["APPLE_ALLOW_SANDBOX"] = allowSandbox ? "true" : "false",
            ["APPLE_APP_APPLE_ID"] = appAppleId?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["APPLE_ROOT_CERTIFICATES"] = RootPemPath,
        };

    /// <summary>Signs <paramref name="payloadJson"/> as a compact JWS; <paramref name="options"/> produces broken variants.</summary>
    public string Sign(string payloadJson, AppleJwsOptions? options = null) =>
        SignCompactJws(payloadJson, _leafKey, X5c, options);

    /// <summary>
    /// Signs with any key and chain, e.g. Apple's public test keys (TestData/apple-vectors/apple-test/certs/*.key in Billing.Infrastructure.Tests).
    /// <see cref="AppleJwsOptions.X5c"/> and <see cref="AppleJwsOptions.SigningKey"/> still override.
    /// </summary>
    public static string SignCompactJws(string payloadJson, ECDsa signingKey, IReadOnlyList<string> x5c, AppleJwsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(payloadJson);
        ArgumentNullException.ThrowIfNull(signingKey);
        ArgumentNullException.ThrowIfNull(x5c);
        options ??= new AppleJwsOptions();

        var header = new JsonObject { ["typ"] = "JWT" };
        if (options.Algorithm is not null)
        {
            header["alg"] = options.Algorithm;
        }

        if (!options.OmitX5c)
        {
            header["x5c"] = new JsonArray([.. (options.X5c ?? x5c).Select(entry => (JsonNode?)entry)]);
        }

        var signingInput = $"{Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString()))}.{Base64Url(Encoding.UTF8.GetBytes(payloadJson))}";
        if (options.EmptySignature)
        {
            return signingInput + ".";
        }

        var key = options.SigningKey ?? signingKey;
        var signature = key.SignData(
            Encoding.ASCII.GetBytes(signingInput),
            HashAlgorithmName.SHA256,
            DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return $"{signingInput}.{Base64Url(signature)}";
    }

    public string SignTransaction(AppleTestTransaction transaction, AppleJwsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return Sign(transaction.ToJson(), options);
    }

    public string SignRenewalInfo(AppleTestRenewalInfo renewalInfo, AppleJwsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(renewalInfo);
        return Sign(renewalInfo.ToJson(), options);
    }

    /// <summary>Signs the nested transaction/renewal info (if any) with this PKI, then the notification around them.</summary>
    public string SignNotification(AppleTestNotification notification, AppleJwsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var signedTransaction = notification.Transaction is null ? null : SignTransaction(notification.Transaction);
        var signedRenewal = notification.RenewalInfo is null ? null : SignRenewalInfo(notification.RenewalInfo);
        return Sign(notification.ToJson(signedTransaction, signedRenewal), options);
    }

    /// <summary>Signs a notification around nested JWS you built yourself (e.g. a tampered one).</summary>
    public string SignNotification(AppleTestNotification notification, string? signedTransactionInfo, string? signedRenewalInfo, AppleJwsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(notification);
        return Sign(notification.ToJson(signedTransactionInfo, signedRenewalInfo), options);
    }

    /// <summary>Rewrites the payload of a JWS (keeping header and signature): the signature no longer matches.</summary>
    public static string TamperPayload(string jws, Func<string, string> rewritePayloadJson)
    {
        ArgumentNullException.ThrowIfNull(jws);
        ArgumentNullException.ThrowIfNull(rewritePayloadJson);

        var parts = jws.Split('.');
        if (parts.Length != 3)
        {
            throw new ArgumentException("Not a compact JWS.", nameof(jws));
        }

        var payload = Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]));
        var rewritten = rewritePayloadJson(payload);
        if (rewritten == payload)
        {
            throw new ArgumentException("The rewrite left the payload unchanged.", nameof(rewritePayloadJson));
        }

        return $"{parts[0]}.{Base64Url(Encoding.UTF8.GetBytes(rewritten))}.{parts[2]}";
    }

    public void Dispose()
    {
        Root.Dispose();
        Intermediate.Dispose();
        Leaf.Dispose();
        _rootKey.Dispose();
        _intermediateKey.Dispose();
        _leafKey.Dispose();
        if (_rootPemPath is not null && File.Exists(_rootPemPath))
        {
            File.Delete(_rootPemPath);
        }
    }

    private X509Certificate2 CreateRoot(string subject)
    {
        var request = new CertificateRequest(subject, _rootKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var withKey = request.CreateSelfSigned(CaNotBefore, CaNotAfter);
        return X509CertificateLoader.LoadCertificate(withKey.RawData);
    }

    private X509Certificate2 CreateIntermediate(AppleTestPkiOptions options)
    {
        var request = new CertificateRequest(
            "CN=Timepoint Test Apple WWDR CA, OU=G6, O=Timepoint, C=US", _intermediateKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(options.IntermediateNotCa
            ? new X509BasicConstraintsExtension(false, false, 0, true)
            : new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Root, true, false));
        if (!options.IntermediateWithoutAppleOid)
        {
            request.CertificateExtensions.Add(new X509Extension(IntermediateOid, Asn1Null, false));
        }

        return IssueWith(request, Root.SubjectName, _rootKey, CaNotBefore.AddYears(1), CaNotAfter.AddYears(-1));
    }

    private X509Certificate2 CreateLeaf(AppleTestPkiOptions options)
    {
        var request = new CertificateRequest(
            "CN=Timepoint Test Receipt Signing, OU=Tests, O=Timepoint, C=US", _leafKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Intermediate, true, false));
        if (!options.LeafWithoutAppleOid)
        {
            request.CertificateExtensions.Add(new X509Extension(LeafOid, Asn1Null, false));
        }

        var now = DateTimeOffset.UtcNow;
        return IssueWith(request, Intermediate.SubjectName, _intermediateKey, options.LeafNotBefore ?? now.AddDays(-1), options.LeafNotAfter ?? now.AddYears(1));
    }

    // Issuing through a signature generator (not the issuer certificate) lets us mint a leaf under a non-CA intermediate.
    private static X509Certificate2 IssueWith(
        CertificateRequest request, X500DistinguishedName issuer, ECDsa issuerKey, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        using var certificate = request.Create(issuer, X509SignatureGenerator.CreateForECDsa(issuerKey), notBefore, notAfter, serial);
        return X509CertificateLoader.LoadCertificate(certificate.RawData);
    }

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);
}
