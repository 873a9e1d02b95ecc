using Billing.Application.Abstractions.Stripe;

namespace Billing.Infrastructure.Stripe;

/// <summary><see cref="StripeWebhookSignature.Verify"/> bound to the configured secret, tolerance and clock.</summary>
internal sealed class StripeWebhookVerifier : IStripeWebhookVerifier
{
    private readonly StripeOptions _options;
    private readonly TimeProvider _timeProvider;

    public StripeWebhookVerifier(StripeOptions options, TimeProvider timeProvider)
    {
        _options = options;
        _timeProvider = timeProvider;
    }

    public StripeSignatureVerificationResult Verify(ReadOnlySpan<byte> payload, string? signatureHeader) =>
        StripeWebhookSignature.Verify(
            payload, signatureHeader, _options.WebhookSecret, _timeProvider.GetUtcNow(), _options.WebhookTolerance);
}
