using Billing.Application.Abstractions.Stripe;

namespace Billing.Application.Stripe.Webhooks.SyncSubscription;

/// <summary><c>customer.subscription.created</c> / <c>.updated</c> / <c>.deleted</c>: mirror the subscription's status and tier.</summary>
public sealed record SyncSubscriptionCommand(StripeEventEnvelope Event) : IStripeEventCommand;
