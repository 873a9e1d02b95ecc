using Billing.Application.Abstractions.Stripe;

namespace Billing.Application.Stripe.Webhooks.RecordInvoicePaid;

/// <summary><c>invoice.paid</c>: a subscription period was paid (first invoice or renewal) and owes the tier's credits once.</summary>
public sealed record RecordInvoicePaidCommand(StripeEventEnvelope Event) : IStripeEventCommand;
