using Billing.Application.Abstractions.Stripe;

namespace Billing.Application.Stripe.Webhooks.SyncSubscription;

/// <summary>
/// <c>customer.subscription.created</c> / <c>.updated</c> / <c>.deleted</c>: mirror the subscription's status and tier.
/// Carries the subscription as fetched before the transaction (not fetched for a deletion, which needs nothing more).
/// </summary>
public sealed record SyncSubscriptionCommand(StripeEventEnvelope Event, StripeSubscription? Subscription) : IStripeEventCommand
{
    internal static async Task<IStripeEventCommand> FetchAsync(StripeEventEnvelope stripeEvent, IStripeClient stripe, CancellationToken cancellationToken) =>
        new SyncSubscriptionCommand(
            stripeEvent,
            stripeEvent.Type == "customer.subscription.deleted" ? null : await StripeFetch.EventObjectAsync(stripeEvent, stripe.GetSubscriptionAsync, cancellationToken));
}
