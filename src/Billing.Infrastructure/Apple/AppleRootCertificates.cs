using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Billing.Infrastructure.Apple;

/// <summary>Loads the trust anchors: the embedded, fingerprint-pinned Apple Root CA - G3 plus configured extra roots.</summary>
internal static class AppleRootCertificates
{
    /// <summary>SHA-256 of Apple Root CA - G3 (DER), from Apple's PKI page; see docs/reference/apple-verification.md section D.</summary>
    public const string AppleRootCaG3Sha256 =
        "63:34:3A:BF:B8:9A:6A:03:EB:B5:7E:9B:3F:5F:A7:BE:7C:4F:5C:75:6F:30:17:B3:A8:C4:88:C3:65:3E:91:79";

    private const string EmbeddedRootFileName = "AppleRootCA-G3.cer";

    private static readonly Lazy<X509Certificate2> EmbeddedRoot = new(LoadEmbeddedAppleRoot);

    /// <summary>The embedded Apple Root CA - G3, loaded once and checked against the pinned fingerprint.</summary>
    public static X509Certificate2 AppleRootCaG3 => EmbeddedRoot.Value;

    /// <summary>Embedded root plus the configured extra roots.</summary>
    public static X509Certificate2Collection LoadTrustAnchors(IEnumerable<string> extraRootPaths)
    {
        ArgumentNullException.ThrowIfNull(extraRootPaths);

        var anchors = new X509Certificate2Collection { AppleRootCaG3 };
        foreach (var path in extraRootPaths)
        {
            anchors.AddRange(LoadFromFile(path));
        }

        return anchors;
    }

    /// <summary>Loads a DER certificate and refuses it unless its SHA-256 fingerprint is <paramref name="expectedSha256"/>.</summary>
    public static X509Certificate2 LoadPinned(byte[] der, string expectedSha256)
    {
        ArgumentNullException.ThrowIfNull(der);

        var actual = SHA256.HashData(der);
        var expected = Convert.FromHexString(expectedSha256.Replace(":", string.Empty, StringComparison.Ordinal));
        if (!CryptographicOperations.FixedTimeEquals(actual, expected))
        {
            throw new InvalidOperationException(
                "The embedded Apple root certificate does not match its pinned SHA-256 fingerprint.");
        }

        return X509CertificateLoader.LoadCertificate(der);
    }

    /// <summary>Reads every certificate of a PEM file, or the single certificate of a DER file.</summary>
    public static X509Certificate2Collection LoadFromFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"{AppleOptions.RootCertificatesKey} lists '{path}', which does not exist.");
        }

        var bytes = File.ReadAllBytes(path);
        var collection = new X509Certificate2Collection();
        if (LooksLikePem(bytes))
        {
            collection.ImportFromPem(System.Text.Encoding.ASCII.GetString(bytes));
        }
        else
        {
            collection.Add(X509CertificateLoader.LoadCertificate(bytes));
        }

        if (collection.Count == 0)
        {
            throw new InvalidOperationException($"'{path}' holds no certificate.");
        }

        return collection;
    }

    private static X509Certificate2 LoadEmbeddedAppleRoot()
    {
        var assembly = typeof(AppleRootCertificates).Assembly;

        // The manifest name depends on the root namespace; find it by file name rather than hard-coding it.
        var resourceName = assembly.GetManifestResourceNames()
            .SingleOrDefault(name => name.EndsWith(EmbeddedRootFileName, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"Embedded resource {EmbeddedRootFileName} is missing.");

        using var stream = assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException($"Embedded resource {resourceName} cannot be opened.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return LoadPinned(buffer.ToArray(), AppleRootCaG3Sha256);
    }

    private static bool LooksLikePem(byte[] bytes) =>
        System.Text.Encoding.ASCII.GetString(bytes, 0, Math.Min(bytes.Length, 4096))
            .Contains("-----BEGIN", StringComparison.Ordinal);
}
