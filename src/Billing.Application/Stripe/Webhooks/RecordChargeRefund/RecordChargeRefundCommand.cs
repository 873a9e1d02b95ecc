using Billing.Application.Abstractions.Stripe;

namespace Billing.Application.Stripe.Webhooks.RecordChargeRefund;

/// <summary><c>charge.refunded</c> (full and partial refunds): claw back the refunded share of a pack's credits, once per refund.</summary>
public sealed record RecordChargeRefundCommand(StripeEventEnvelope Event) : IStripeEventCommand;
