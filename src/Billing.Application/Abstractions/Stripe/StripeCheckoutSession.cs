namespace Billing.Application.Abstractions.Stripe;

/// <remarks>
/// <para><c>Status</c>: <c>open</c>, <c>complete</c> or <c>expired</c>.</para>
/// <para><c>PaymentStatus</c>: <c>paid</c>, <c>unpaid</c> or <c>no_payment_required</c>; fulfil when not <c>unpaid</c>.</para>
/// </remarks>
public sealed record StripeCheckoutSession(
    string Id,
    string? Url,
    string? Mode,
    string? Status,
    string? PaymentStatus,
    string? CustomerId,
    string? ClientReferenceId,
    string? SubscriptionId,
    string? PaymentIntentId,
    string? InvoiceId,
    IReadOnlyDictionary<string, string> Metadata,
    long? AmountTotal,
    string? Currency,
    bool Livemode,
    DateTimeOffset? Created,
    DateTimeOffset? ExpiresAt)
{
    /// <summary>Stripe's fulfilment rule: anything but <c>unpaid</c> (i.e. <c>paid</c>, <c>no_payment_required</c>).</summary>
    public bool IsPaymentSettled => PaymentStatus is not null && PaymentStatus != "unpaid";

    /// <summary>The prices of the session's line items; only present when <c>line_items</c> was expanded.</summary>
    public IReadOnlyList<string> LinePriceIds { get; init; } = [];
}
