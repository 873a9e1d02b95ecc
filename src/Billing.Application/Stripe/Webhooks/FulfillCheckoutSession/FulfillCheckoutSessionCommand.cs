using Billing.Application.Abstractions.Stripe;

namespace Billing.Application.Stripe.Webhooks.FulfillCheckoutSession;

/// <summary>
/// <c>checkout.session.completed</c> / <c>checkout.session.async_payment_succeeded</c>: Stripe's fulfilment function.
/// Safe to run any number of times, concurrently, for one session: the session is re-fetched and the database decides.
/// </summary>
public sealed record FulfillCheckoutSessionCommand(StripeEventEnvelope Event) : IStripeEventCommand;
