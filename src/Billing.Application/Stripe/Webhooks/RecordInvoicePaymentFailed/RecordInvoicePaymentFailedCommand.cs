using Billing.Application.Abstractions.Stripe;

namespace Billing.Application.Stripe.Webhooks.RecordInvoicePaymentFailed;

/// <summary>
/// <c>invoice.payment_failed</c>: a renewal payment failed; the subscription is past due while Stripe retries.
/// Carries the invoice as fetched before the transaction (null when missing at Stripe).
/// </summary>
public sealed record RecordInvoicePaymentFailedCommand(StripeEventEnvelope Event, StripeInvoice? Invoice) : IStripeEventCommand
{
    internal static async Task<IStripeEventCommand> FetchAsync(StripeEventEnvelope stripeEvent, IStripeClient stripe, CancellationToken cancellationToken) =>
        new RecordInvoicePaymentFailedCommand(stripeEvent, await StripeFetch.EventObjectAsync(stripeEvent, stripe.GetInvoiceAsync, cancellationToken));
}
