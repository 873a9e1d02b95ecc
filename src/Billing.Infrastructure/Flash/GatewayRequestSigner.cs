using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Billing.Infrastructure.Flash;

/// <summary>
/// Signs requests the way Flash's <c>verify_gateway_signature</c> checks them (contract §1.3): HMAC-SHA256 over the five lines
/// <c>v1</c>, METHOD, path (no query), user id (empty when none), timestamp; sent as <c>X-Gateway-Signature: v1=&lt;lowercase hex&gt;</c>
/// with <c>X-Gateway-Timestamp</c> in unix seconds. The body is not signed. Flash allows ±300 s of clock skew.
/// </summary>
internal sealed class GatewayRequestSigner
{
    public const string TimestampHeader = "X-Gateway-Timestamp";
    public const string SignatureHeader = "X-Gateway-Signature";
    public const string UserIdHeader = "X-User-Id";
    public const string SignatureVersion = "v1";

    private readonly byte[] _key;
    private readonly TimeProvider _timeProvider;

    public GatewayRequestSigner(string secret, TimeProvider timeProvider)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        _key = Encoding.UTF8.GetBytes(secret);
        _timeProvider = timeProvider;
    }

    /// <summary>Sets the timestamp, the signature and (only when <paramref name="userId"/> is given) the signed <c>X-User-Id</c>.</summary>
    public void Sign(HttpRequestMessage request, string? userId)
    {
        var uri = request.RequestUri ?? throw new InvalidOperationException("The request has no URI to sign.");
        var timestamp = _timeProvider.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

        // Starlette gives Flash the percent-decoded path, so that is what gets signed.
        var path = Uri.UnescapeDataString(uri.AbsolutePath);
        var signature = ComputeSignature(BuildCanonicalString(request.Method.Method, path, userId, timestamp));

        request.Headers.Remove(UserIdHeader);
        if (!string.IsNullOrEmpty(userId))
        {
            request.Headers.TryAddWithoutValidation(UserIdHeader, userId);
        }

        request.Headers.Remove(TimestampHeader);
        request.Headers.Remove(SignatureHeader);
        request.Headers.TryAddWithoutValidation(TimestampHeader, timestamp);
        request.Headers.TryAddWithoutValidation(SignatureHeader, signature);
    }

    public static string BuildCanonicalString(string method, string path, string? userId, string timestamp) =>
        string.Join('\n', SignatureVersion, method.ToUpperInvariant(), path, userId ?? string.Empty, timestamp);

    public string ComputeSignature(string canonicalString) =>
        SignatureVersion + "=" + Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(canonicalString)));
}
