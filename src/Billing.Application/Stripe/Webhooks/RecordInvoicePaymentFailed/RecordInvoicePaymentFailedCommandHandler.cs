using Billing.Application.Inbox;
using MediatR;

namespace Billing.Application.Stripe.Webhooks.RecordInvoicePaymentFailed;

/// <summary>
/// Re-fetches the invoice: one paid since (Stripe's retry succeeded before this event was processed) marks nothing.
/// Otherwise past_due at the event's time; an older failure than the newest applied event changes nothing.
/// A subscription not known here yet is left alone: it is brought to Stripe's state when it is started.
/// </summary>
internal sealed class RecordInvoicePaymentFailedCommandHandler(StripeSubscriptionSync subscriptions)
    : IRequestHandler<RecordInvoicePaymentFailedCommand, ProviderEventResult>
{
    public async Task<ProviderEventResult> Handle(RecordInvoicePaymentFailedCommand request, CancellationToken cancellationToken)
    {
        var stripeEvent = request.Event;
        if (request.Invoice is not { } invoice)
        {
            return StripeFetch.Missing(stripeEvent, "invoice");
        }

        if (invoice.Paid)
        {
            return ProviderEventResult.Ignored($"invoice {invoice.Id} has been paid since the failure");
        }

        if (invoice.SubscriptionId is not { } subscriptionId)
        {
            return ProviderEventResult.Ignored($"invoice {invoice.Id} belongs to no subscription");
        }

        var subscription = await subscriptions.FindAsync(subscriptionId, cancellationToken);
        if (subscription is null)
        {
            return ProviderEventResult.Ignored($"subscription {subscriptionId} is not known here (yet); its state is taken from Stripe when it starts");
        }

        return subscription.MarkPastDue(stripeEvent.Created)
            ? ProviderEventResult.Processed()
            : ProviderEventResult.Ignored($"subscription {subscriptionId} not marked past due: already past due, canceled, or a newer event was applied");
    }
}
