using System.Security.Cryptography;
using Billing.Infrastructure.Configuration;
using Microsoft.Extensions.Configuration;

namespace Billing.Infrastructure.Apple;

/// <summary>
/// The App Store Server API: an in-app purchase key from App Store Connect (Users and Access → Integrations) and where to
/// reach it. All three key variables set: configured; none: off (reconciliation skips Apple, CONSUMPTION_REQUEST is only
/// recorded); some but not all, or a key that does not parse: start-up fails naming the variable (never the value).
/// </summary>
public sealed class AppStoreServerApiOptions
{
    public const string PrivateKeyVariable = "APPLE_APP_STORE_PRIVATE_KEY";
    public const string KeyIdVariable = "APPLE_APP_STORE_KEY_ID";
    public const string IssuerIdVariable = "APPLE_APP_STORE_ISSUER_ID";
    public const string ApiUrlVariable = "APPLE_APP_STORE_API_URL";

    public static readonly Uri ProductionUrl = new("https://api.storekit.itunes.apple.com");
    public static readonly Uri SandboxUrl = new("https://api.storekit-sandbox.itunes.apple.com");

    private AppStoreServerApiOptions()
    {
    }

    /// <summary>The PKCS#8 PEM text of the key (kept only to build the signer; never logged).</summary>
    internal string? PrivateKeyPem { get; private init; }

    public string? KeyId { get; private init; }

    public string? IssuerId { get; private init; }

    public string BundleId { get; private init; } = AppleOptions.DefaultBundleId;

    public Uri BaseUrl { get; private init; } = ProductionUrl;

    public bool IsConfigured => PrivateKeyPem is not null;

    public static AppStoreServerApiOptions FromConfiguration(IConfiguration configuration)
    {
        var apple = AppleOptions.FromConfiguration(configuration);
        var key = SettingValues.Text(configuration, PrivateKeyVariable);
        var keyId = SettingValues.Text(configuration, KeyIdVariable);
        var issuer = SettingValues.Text(configuration, IssuerIdVariable);
        var url = SettingValues.Text(configuration, ApiUrlVariable);
        Uri baseUrl = apple.Environment == AppleOptions.SandboxEnvironment ? SandboxUrl : ProductionUrl;
        if (url is not null)
        {
            baseUrl = Uri.TryCreate(url, UriKind.Absolute, out var parsed) && parsed.Scheme is "https" or "http"
                ? parsed
                : throw new InvalidOperationException($"{ApiUrlVariable} must be an absolute http(s) URL.");
        }

        var set = new[] { key, keyId, issuer }.Count(v => v is not null);
        if (set == 0)
        {
            return new AppStoreServerApiOptions { BundleId = apple.BundleId, BaseUrl = baseUrl };
        }

        if (set != 3)
        {
            var missing = new[] { (key, PrivateKeyVariable), (keyId, KeyIdVariable), (issuer, IssuerIdVariable) }.Where(p => p.Item1 is null).Select(p => p.Item2);
            throw new InvalidOperationException($"The App Store Server API needs {PrivateKeyVariable}, {KeyIdVariable} and {IssuerIdVariable} together; {string.Join(", ", missing)} not set.");
        }

        // A PEM pasted into a one-line variable often arrives with literal "\n".
        var pem = key!.Replace("\\n", "\n", StringComparison.Ordinal);
        try
        {
            using var probe = ECDsa.Create();
            probe.ImportFromPem(pem);
            if (probe.KeySize != 256)
            {
                throw new InvalidOperationException($"{PrivateKeyVariable} must be a P-256 key (an App Store Connect in-app purchase key).");
            }
        }
        catch (ArgumentException)
        {
            throw new InvalidOperationException($"{PrivateKeyVariable} is not a PEM private key (PKCS#8, the .p8 file App Store Connect gives).");
        }
        catch (CryptographicException)
        {
            throw new InvalidOperationException($"{PrivateKeyVariable} is not a valid EC private key (PKCS#8, the .p8 file App Store Connect gives).");
        }

        return new AppStoreServerApiOptions { PrivateKeyPem = pem, KeyId = keyId, IssuerId = issuer, BundleId = apple.BundleId, BaseUrl = baseUrl };
    }
}
