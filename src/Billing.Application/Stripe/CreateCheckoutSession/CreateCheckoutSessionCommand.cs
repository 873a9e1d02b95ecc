using MediatR;

namespace Billing.Application.Stripe.CreateCheckoutSession;

/// <summary>
/// Open a Stripe Checkout for one catalog product: a one-time payment for a credit pack, a monthly subscription for a tier.
/// <paramref name="SuccessUrl"/>/<paramref name="CancelUrl"/> override the configured redirects only on the same origin.
/// <paramref name="AttemptKey"/> names this checkout attempt for Stripe's idempotency: a retry with the same key gets the same session.
/// Deliberately not an <c>ICommand</c>: Stripe is called between short units of work, never inside one (docs/decisions/0016).
/// </summary>
public sealed record CreateCheckoutSessionCommand(
    string UserId,
    string? UserEmail,
    string? ProductId,
    string? SuccessUrl,
    string? CancelUrl,
    string AttemptKey) : IRequest<CreateCheckoutSessionResult>;

public sealed record CreateCheckoutSessionResult(string CheckoutUrl, string SessionId);
