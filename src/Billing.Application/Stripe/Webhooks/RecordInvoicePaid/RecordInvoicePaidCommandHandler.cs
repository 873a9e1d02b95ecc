using Billing.Application.Inbox;
using MediatR;

namespace Billing.Application.Stripe.Webhooks.RecordInvoicePaid;

/// <summary>
/// Grants the re-fetched invoice's period. Events arrive in any order: when the subscription is not known yet (the
/// checkout event is late), it is started here from the re-fetched Stripe subscription, whose metadata names user and tier;
/// when nothing names them yet, the event is retried later rather than dropped, so a renewal is never lost.
/// </summary>
internal sealed class RecordInvoicePaidCommandHandler(StripeSubscriptionSync subscriptions)
    : IRequestHandler<RecordInvoicePaidCommand, ProviderEventResult>
{
    public async Task<ProviderEventResult> Handle(RecordInvoicePaidCommand request, CancellationToken cancellationToken)
    {
        var stripeEvent = request.Event;
        if (request.Invoice is not { } invoice)
        {
            return StripeFetch.Missing(stripeEvent, "invoice");
        }

        if (invoice.SubscriptionId is not { } subscriptionId)
        {
            return ProviderEventResult.Ignored($"invoice {invoice.Id} belongs to no subscription");
        }

        var subscription = await subscriptions.FindAsync(subscriptionId, cancellationToken);
        var remote = request.Subscription;
        if (subscription is null || invoice.PeriodStart is null || invoice.PeriodEnd is null)
        {
            if (remote is null)
            {
                return ProviderEventResult.Ignored($"subscription {subscriptionId} of invoice {invoice.Id} does not exist at Stripe");
            }
        }

        if (subscription is null)
        {
            var hints = new StripeSubscriptionHints(invoice.SubscriptionMetadata, UserId: null);
            var (started, problem) = await subscriptions.FindOrStartAsync(remote!, hints, stripeEvent.Created, cancellationToken);
            if (started is null)
            {
                return ProviderEventResult.RetryLater($"invoice {invoice.Id} was paid but {problem}; retrying until its checkout is processed");
            }

            subscription = started;
        }

        var (granted, description) = await subscriptions.RecordPaidInvoiceAsync(subscription, invoice, remote, stripeEvent.Created, cancellationToken);
        return granted ? ProviderEventResult.Processed(description) : ProviderEventResult.Ignored(description);
    }
}
