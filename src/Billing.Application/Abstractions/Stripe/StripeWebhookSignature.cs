using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Billing.Application.Abstractions.Stripe;

public enum StripeSignatureVerificationResult
{
    Valid,
    MissingHeader,
    MalformedHeader,
    NoV1Signature,
    SignatureMismatch,
    TimestampOutsideTolerance,
}

/// <summary>Verifies <c>Stripe-Signature</c> with the configured endpoint secret, tolerance and clock.</summary>
public interface IStripeWebhookVerifier
{
    /// <param name="payload">The raw request body bytes exactly as received (re-serialised JSON will not verify).</param>
    /// <param name="signatureHeader">The <c>Stripe-Signature</c> header value.</param>
    StripeSignatureVerificationResult Verify(ReadOnlySpan<byte> payload, string? signatureHeader);
}

/// <summary>
/// Stripe's webhook signature scheme: header <c>t=&lt;unix&gt;,v1=&lt;hex&gt;[,v1=…][,v0=…]</c>;
/// signature = lowercase hex HMAC-SHA256, key = UTF-8 of the whole <c>whsec_…</c> string,
/// message = <c>"{t}." + raw body</c>.
/// </summary>
public static class StripeWebhookSignature
{
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromSeconds(300);

    private const int Sha256Length = 32;

    /// <summary>
    /// Accepts when any <c>v1</c> matches (several appear while a secret is being rolled); ignores every other
    /// scheme (a test-mode <c>v0</c> must not count, downgrade protection). The signature is checked before the
    /// timestamp, and the timestamp must lie within <paramref name="tolerance"/> of <paramref name="now"/> in
    /// either direction.
    /// </summary>
    public static StripeSignatureVerificationResult Verify(
        ReadOnlySpan<byte> payload, string? header, string secret, DateTimeOffset now, TimeSpan tolerance)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        ArgumentOutOfRangeException.ThrowIfLessThan(tolerance, TimeSpan.Zero);

        if (string.IsNullOrWhiteSpace(header))
        {
            return StripeSignatureVerificationResult.MissingHeader;
        }

        if (!TryParseHeader(header, out var timestamp, out var timestampText, out var v1Signatures))
        {
            return StripeSignatureVerificationResult.MalformedHeader;
        }

        if (v1Signatures.Count == 0)
        {
            return StripeSignatureVerificationResult.NoV1Signature;
        }

        Span<byte> expected = stackalloc byte[Sha256Length];
        ComputeSignature(payload, secret, timestampText, expected);

        Span<byte> candidate = stackalloc byte[Sha256Length];
        var matched = false;
        foreach (var signatureHex in v1Signatures)
        {
            // A v1 that is not 64 hex chars can never match; keep looping so timing does not reveal which one matched.
            if (TryDecodeHex(signatureHex, candidate))
            {
                matched |= CryptographicOperations.FixedTimeEquals(expected, candidate);
            }
        }

        if (!matched)
        {
            return StripeSignatureVerificationResult.SignatureMismatch;
        }

        var age = now - DateTimeOffset.FromUnixTimeSeconds(timestamp);
        return age.Duration() > tolerance
            ? StripeSignatureVerificationResult.TimestampOutsideTolerance
            : StripeSignatureVerificationResult.Valid;
    }

    /// <summary>Lowercase hex <c>v1</c> signature; used by fakes and tests to sign payloads.</summary>
    public static string ComputeV1Signature(ReadOnlySpan<byte> payload, string secret, long unixTimestamp)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        Span<byte> signature = stackalloc byte[Sha256Length];
        ComputeSignature(payload, secret, unixTimestamp.ToString(CultureInfo.InvariantCulture), signature);
        return Convert.ToHexStringLower(signature);
    }

    /// <summary>A valid <c>Stripe-Signature</c> header value (<c>t=…,v1=…</c>).</summary>
    public static string BuildHeader(ReadOnlySpan<byte> payload, string secret, DateTimeOffset timestamp)
    {
        var unix = timestamp.ToUnixTimeSeconds();
        return string.Create(
            CultureInfo.InvariantCulture, $"t={unix},v1={ComputeV1Signature(payload, secret, unix)}");
    }

    private static void ComputeSignature(
        ReadOnlySpan<byte> payload, string secret, string timestampText, Span<byte> destination)
    {
        // Exactly as Stripe signs: the t value as it appears in the header, a dot, then the raw body.
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret));
        hmac.AppendData(Encoding.UTF8.GetBytes(timestampText));
        hmac.AppendData("."u8);
        hmac.AppendData(payload);
        hmac.GetHashAndReset(destination);
    }

    private static bool TryParseHeader(
        string header, out long timestamp, out string timestampText, out List<string> v1Signatures)
    {
        timestamp = 0;
        timestampText = string.Empty;
        v1Signatures = [];
        var sawTimestamp = false;

        foreach (var rawItem in header.Split(','))
        {
            var item = rawItem.Trim();
            var separator = item.IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0)
            {
                return false;
            }

            var key = item[..separator];
            var value = item[(separator + 1)..];
            switch (key)
            {
                case "t":
                    // Several timestamps would make "which one was signed" ambiguous.
                    if (sawTimestamp
                        || !long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out timestamp))
                    {
                        return false;
                    }

                    timestampText = value;
                    sawTimestamp = true;
                    break;
                case "v1":
                    v1Signatures.Add(value);
                    break;
                default:
                    // v0 (fake test-mode scheme) and unknown future schemes are ignored on purpose.
                    break;
            }
        }

        return sawTimestamp;
    }

    private static bool TryDecodeHex(string hex, Span<byte> destination)
    {
        if (hex.Length != destination.Length * 2)
        {
            return false;
        }

        return Convert.FromHexString(hex, destination, out _, out var written) == System.Buffers.OperationStatus.Done
            && written == destination.Length;
    }
}
