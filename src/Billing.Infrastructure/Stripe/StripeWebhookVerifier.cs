using System.Text;
using Billing.Application.Abstractions.Stripe;
using Stripe;

namespace Billing.Infrastructure.Stripe;

/// <summary>
/// <c>Stripe-Signature</c> checked by Stripe.net's <see cref="EventUtility.ValidateSignature(string, string, string, long, long)"/>
/// (HMAC-SHA256 over <c>"{t}.{body}"</c>, any <c>v1</c> may match, constant-time comparison, |now − t| within the tolerance),
/// with the configured secret, tolerance (300 s by default) and clock. The header is only looked at first to say why a
/// refusal happened (missing, malformed, no <c>v1</c>); it never makes a signature valid.
/// </summary>
internal sealed class StripeWebhookVerifier : IStripeWebhookVerifier
{
    // Large enough for any timestamp, small enough not to overflow the SDK's arithmetic: used only to tell "stale" from "wrong".
    private const long AnyAge = 100L * 365 * 24 * 3600;

    private readonly StripeOptions _options;
    private readonly TimeProvider _timeProvider;

    public StripeWebhookVerifier(StripeOptions options, TimeProvider timeProvider)
    {
        ArgumentException.ThrowIfNullOrEmpty(options.WebhookSecret);
        _options = options;
        _timeProvider = timeProvider;
    }

    public StripeSignatureVerificationResult Verify(ReadOnlySpan<byte> payload, string? signatureHeader)
    {
        if (string.IsNullOrWhiteSpace(signatureHeader))
        {
            return StripeSignatureVerificationResult.MissingHeader;
        }

        if (Shape(signatureHeader) is { } refusal)
        {
            return refusal;
        }

        // The raw bytes as a string: invalid UTF-8 cannot round-trip, so it cannot verify either.
        var json = Encoding.UTF8.GetString(payload);
        var now = _timeProvider.GetUtcNow().ToUnixTimeSeconds();
        if (Validates(json, signatureHeader, (long)_options.WebhookTolerance.TotalSeconds, now))
        {
            return StripeSignatureVerificationResult.Valid;
        }

        // The SDK checks the signature before the timestamp: valid at any age means only the age is wrong.
        return Validates(json, signatureHeader, AnyAge, now)
            ? StripeSignatureVerificationResult.TimestampOutsideTolerance
            : StripeSignatureVerificationResult.SignatureMismatch;
    }

    private bool Validates(string json, string header, long toleranceSeconds, long now)
    {
        try
        {
            EventUtility.ValidateSignature(json, header, _options.WebhookSecret, toleranceSeconds, now);
            return true;
        }
        catch (global::Stripe.StripeException)
        {
            return false;
        }
    }

    /// <summary>
    /// Stripe's grammar: <c>t=&lt;unix&gt;,v1=&lt;hex&gt;[,v1=…][,v0=…]</c>. Several <c>t</c> would make "which one was signed"
    /// ambiguous; only <c>v1</c> counts (a test-mode <c>v0</c> must not, downgrade protection).
    /// </summary>
    private static StripeSignatureVerificationResult? Shape(string header)
    {
        var timestamps = 0;
        var v1 = 0;
        foreach (var rawItem in header.Split(','))
        {
            var item = rawItem.Trim();
            var separator = item.IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0)
            {
                return StripeSignatureVerificationResult.MalformedHeader;
            }

            switch (item[..separator])
            {
                case "t" when long.TryParse(item[(separator + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _):
                    timestamps++;
                    break;
                case "t":
                    return StripeSignatureVerificationResult.MalformedHeader;
                case "v1":
                    v1++;
                    break;
            }
        }

        return timestamps != 1 ? StripeSignatureVerificationResult.MalformedHeader
            : v1 == 0 ? StripeSignatureVerificationResult.NoV1Signature
            : null;
    }
}
