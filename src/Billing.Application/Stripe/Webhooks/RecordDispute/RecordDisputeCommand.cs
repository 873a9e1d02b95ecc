using Billing.Application.Abstractions.Stripe;

namespace Billing.Application.Stripe.Webhooks.RecordDispute;

/// <summary>
/// <c>charge.dispute.created</c> / <c>charge.dispute.closed</c>: recorded; a lost dispute claws back what remains of a pack.
/// Carries the dispute as fetched before the transaction, and its charge when the dispute names no payment intent or was won.
/// </summary>
public sealed record RecordDisputeCommand(StripeEventEnvelope Event, StripeDispute? Dispute, StripeCharge? Charge = null) : IStripeEventCommand
{
    internal static async Task<IStripeEventCommand> FetchAsync(StripeEventEnvelope stripeEvent, IStripeClient stripe, CancellationToken cancellationToken)
    {
        var dispute = await StripeFetch.EventObjectAsync(stripeEvent, stripe.GetDisputeAsync, cancellationToken);
        // The charge too when the dispute names no payment intent, or when it was won (a reversal restores only what its charge
        // shows was really taken: docs/decisions/0011).
        var charge = dispute is { ChargeId: { } chargeId } && (dispute.PaymentIntentId is null || dispute.Status == "won")
            ? await StripeFetch.OrNullWhenMissing(stripe.GetChargeAsync(chargeId, cancellationToken))
            : null;
        return new RecordDisputeCommand(stripeEvent, dispute, charge);
    }
}
