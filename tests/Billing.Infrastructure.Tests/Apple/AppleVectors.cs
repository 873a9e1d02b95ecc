using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Billing.Infrastructure.Tests.Apple;

/// <summary>Apple's test data, kept in this project (TestData/apple-vectors) and copied next to the test binaries.</summary>
internal static class AppleVectors
{
    public static string Root { get; } = Locate();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    public static string ReadToken(params string[] parts) => File.ReadAllText(PathOf(parts)).Trim();

    public static string TestCaDerPath => PathOf("apple-test", "certs", "testCA.der");

    /// <summary>A certificate of apple-test/certs as x5c carries it (standard base64 DER).</summary>
    public static string TestCertificateBase64(string pemFileName)
    {
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(PathOf("apple-test", "certs", pemFileName)));
        return Convert.ToBase64String(certificate.RawData);
    }

    /// <summary>Apple's public test leaf key (signs every test leaf, valid or not).</summary>
    public static ECDsa TestLeafKey()
    {
        var key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(PathOf("apple-test", "certs", "testLeaf.key")));
        return key;
    }

    public static X509Certificate2 RealCertificate(string fileName) =>
        X509CertificateLoader.LoadCertificateFromFile(PathOf("apple-real", fileName));

    private static string Locate()
    {
        var vectors = Path.Combine(AppContext.BaseDirectory, "TestData", "apple-vectors");
        return Directory.Exists(vectors)
            ? vectors
            : throw new DirectoryNotFoundException($"Apple vectors not found at {vectors} (TestData is copied to the output).");
    }
}
