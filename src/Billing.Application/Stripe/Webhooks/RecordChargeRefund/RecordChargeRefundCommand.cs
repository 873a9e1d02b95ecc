using Billing.Application.Abstractions.Stripe;

namespace Billing.Application.Stripe.Webhooks.RecordChargeRefund;

/// <summary>
/// <c>charge.refunded</c> (full and partial refunds): claw back the refunded share of a pack's credits, once per refund.
/// Carries the charge (with its refunds) as fetched before the transaction; null when the event names none or Stripe no longer has it.
/// </summary>
public sealed record RecordChargeRefundCommand(StripeEventEnvelope Event, StripeCharge? Charge) : IStripeEventCommand
{
    internal static async Task<IStripeEventCommand> FetchAsync(StripeEventEnvelope stripeEvent, IStripeClient stripe, CancellationToken cancellationToken) =>
        new RecordChargeRefundCommand(stripeEvent, await StripeFetch.EventObjectAsync(stripeEvent, stripe.GetChargeAsync, cancellationToken));
}
