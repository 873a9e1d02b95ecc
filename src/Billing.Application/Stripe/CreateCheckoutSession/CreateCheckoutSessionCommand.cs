using Billing.Application.Abstractions.Messaging;

namespace Billing.Application.Stripe.CreateCheckoutSession;

/// <summary>
/// Open a Stripe Checkout for one catalog product: a one-time payment for a credit pack, a monthly subscription for a tier.
/// <paramref name="SuccessUrl"/>/<paramref name="CancelUrl"/> override the configured redirects only on the same origin.
/// <paramref name="AttemptKey"/> names this checkout attempt for Stripe's idempotency: a retry with the same key gets the same session.
/// </summary>
public sealed record CreateCheckoutSessionCommand(
    string UserId,
    string? UserEmail,
    string? ProductId,
    string? SuccessUrl,
    string? CancelUrl,
    string AttemptKey) : ICommand<CreateCheckoutSessionResult>;

public sealed record CreateCheckoutSessionResult(string CheckoutUrl, string SessionId);
