namespace Billing.Application.Abstractions.Stripe;

/// <remarks>
/// <para><c>SubscriptionId</c>: The subscription the invoice bills, if any.</para>
/// <para><c>BillingReason</c>: <c>subscription_create</c>, <c>subscription_cycle</c>, <c>subscription_update</c>, …</para>
/// <para><c>Status</c>: <c>draft</c>, <c>open</c>, <c>paid</c>, <c>uncollectible</c> or <c>void</c>.</para>
/// <para><c>Paid</c>: The invoice's status is <c>paid</c>.</para>
/// <para><c>PeriodStart</c>: The billed service period (of its first line).</para>
/// <para><c>SubscriptionMetadata</c>: Snapshot of the subscription's metadata carried by the invoice, when present.</para>
/// </remarks>
public sealed record StripeInvoice(
    string Id,
    string? CustomerId,
    string? SubscriptionId,
    string? BillingReason,
    string? Status,
    bool Paid,
    long? AmountPaid,
    long? AmountDue,
    string? Currency,
    DateTimeOffset? PeriodStart,
    DateTimeOffset? PeriodEnd,
    string? PriceId,
    long? AttemptCount,
    DateTimeOffset? NextPaymentAttempt,
    string? PaymentIntentId,
    IReadOnlyDictionary<string, string> Metadata,
    IReadOnlyDictionary<string, string> SubscriptionMetadata,
    bool Livemode,
    DateTimeOffset? Created)
{
    /// <summary>The invoice's lines (first page as the invoice carries it): what was billed, at which price, for which period.</summary>
    public IReadOnlyList<StripeInvoiceLine> Lines { get; init; } = [];
}

/// <summary>One invoice line: the price billed, its product, amount and period.</summary>
/// <remarks><c>PriceMetadata</c>: the price's metadata when the line carries the full price object (API versions before basil).</remarks>
public sealed record StripeInvoiceLine(
    string? PriceId,
    string? ProductId,
    long? Amount,
    DateTimeOffset? PeriodStart,
    DateTimeOffset? PeriodEnd,
    IReadOnlyDictionary<string, string> PriceMetadata);
