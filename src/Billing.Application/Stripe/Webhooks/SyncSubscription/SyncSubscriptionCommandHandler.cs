using Billing.Application.Inbox;
using MediatR;

namespace Billing.Application.Stripe.Webhooks.SyncSubscription;

/// <summary>
/// Applies the re-fetched subscription's its current state at the event's time (status, cancel at period end, tier):
/// an event older than the newest applied one changes nothing, so out-of-order deliveries never regress the state.
/// Deletion expires it. These events never start a subscription (nothing is paid by them): a subscription unknown here
/// is started by its paid checkout or invoice, from Stripe's state at that moment.
/// </summary>
internal sealed class SyncSubscriptionCommandHandler(StripeSubscriptionSync subscriptions)
    : IRequestHandler<SyncSubscriptionCommand, ProviderEventResult>
{
    public async Task<ProviderEventResult> Handle(SyncSubscriptionCommand request, CancellationToken cancellationToken)
    {
        var stripeEvent = request.Event;
        if (stripeEvent.DataObjectId is not { } subscriptionId)
        {
            return ProviderEventResult.Ignored("the event carries no subscription id");
        }

        var subscription = await subscriptions.FindAsync(subscriptionId, cancellationToken);
        if (subscription is null)
        {
            return ProviderEventResult.Ignored($"subscription {subscriptionId} is not known here (yet); it starts from its paid checkout or invoice");
        }

        if (stripeEvent.Type == "customer.subscription.deleted")
        {
            return subscription.Expire(stripeEvent.Created)
                ? ProviderEventResult.Processed()
                : ProviderEventResult.Ignored($"subscription {subscriptionId} already expired, or a newer event was applied");
        }

        if (request.Subscription is not { } remote)
        {
            return ProviderEventResult.Ignored($"subscription {subscriptionId} does not exist at Stripe");
        }

        var (changed, description) = subscriptions.ApplyRemoteState(subscription, remote, stripeEvent.Created);
        return changed ? ProviderEventResult.Processed(description) : ProviderEventResult.Ignored(description);
    }
}
