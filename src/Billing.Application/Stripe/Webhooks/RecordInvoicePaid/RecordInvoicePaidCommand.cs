using Billing.Application.Abstractions.Stripe;

namespace Billing.Application.Stripe.Webhooks.RecordInvoicePaid;

/// <summary>
/// <c>invoice.paid</c>: a subscription period was paid (first invoice or renewal) and owes the tier's credits once.
/// Carries the invoice and its subscription as fetched before the transaction (null when missing at Stripe).
/// </summary>
public sealed record RecordInvoicePaidCommand(StripeEventEnvelope Event, StripeInvoice? Invoice, StripeSubscription? Subscription = null) : IStripeEventCommand
{
    internal static async Task<IStripeEventCommand> FetchAsync(StripeEventEnvelope stripeEvent, IStripeClient stripe, CancellationToken cancellationToken)
    {
        var invoice = await StripeFetch.EventObjectAsync(stripeEvent, stripe.GetInvoiceAsync, cancellationToken);
        // Fetched whether or not the subscription is known here: whether it is can only be read reliably inside the transaction.
        var subscription = invoice?.SubscriptionId is { } subscriptionId
            ? await StripeFetch.OrNullWhenMissing(stripe.GetSubscriptionAsync(subscriptionId, cancellationToken))
            : null;
        return new RecordInvoicePaidCommand(stripeEvent, invoice, subscription);
    }
}
