using Billing.Application.Abstractions.Stripe;

namespace Billing.Application.Stripe.Webhooks.FulfillCheckoutSession;

/// <summary>
/// <c>checkout.session.completed</c> / <c>checkout.session.async_payment_succeeded</c>: Stripe's fulfilment function.
/// Safe to run any number of times, concurrently, for one session: the session is re-fetched and the database decides.
/// Carries what was fetched before the transaction: the session and, for a paid subscription checkout, its subscription
/// and first invoice (null when the event names none or Stripe no longer has it).
/// </summary>
public sealed record FulfillCheckoutSessionCommand(
    StripeEventEnvelope Event,
    StripeCheckoutSession? Session,
    StripeSubscription? Subscription = null,
    StripeInvoice? Invoice = null) : IStripeEventCommand
{
    internal static async Task<IStripeEventCommand> FetchAsync(StripeEventEnvelope stripeEvent, IStripeClient stripe, CancellationToken cancellationToken)
    {
        var session = await StripeFetch.EventObjectAsync(stripeEvent, stripe.GetCheckoutSessionAsync, cancellationToken);
        if (session is not { IsPaymentSettled: true, Mode: StripeCheckoutModes.Subscription, SubscriptionId: { } subscriptionId })
        {
            return new FulfillCheckoutSessionCommand(stripeEvent, session);
        }

        var subscription = await StripeFetch.OrNullWhenMissing(stripe.GetSubscriptionAsync(subscriptionId, cancellationToken));
        var invoice = subscription is not null && session.InvoiceId is { } invoiceId
            ? await StripeFetch.OrNullWhenMissing(stripe.GetInvoiceAsync(invoiceId, cancellationToken))
            : null;
        return new FulfillCheckoutSessionCommand(stripeEvent, session, subscription, invoice);
    }
}
