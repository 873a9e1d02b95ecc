using Billing.Application.Abstractions.Stripe;

namespace Billing.Application.Stripe.Webhooks.RecordDispute;

/// <summary><c>charge.dispute.created</c> / <c>charge.dispute.closed</c>: recorded; a lost dispute claws back what remains of a pack.</summary>
public sealed record RecordDisputeCommand(StripeEventEnvelope Event) : IStripeEventCommand;
