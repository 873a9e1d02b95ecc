using Billing.Application.Abstractions.Stripe;

namespace Billing.Application.Stripe.Webhooks.RecordInvoicePaymentFailed;

/// <summary><c>invoice.payment_failed</c>: a renewal payment failed; the subscription is past due while Stripe retries.</summary>
public sealed record RecordInvoicePaymentFailedCommand(StripeEventEnvelope Event) : IStripeEventCommand;
