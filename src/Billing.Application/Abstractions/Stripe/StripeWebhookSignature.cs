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
