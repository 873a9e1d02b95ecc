namespace Billing.Application.Abstractions.Stripe;

/// <remarks>
/// <para><c>Status</c>: <c>incomplete</c>, <c>incomplete_expired</c>, <c>trialing</c>, <c>active</c>,
/// <c>past_due</c>, <c>canceled</c>, <c>unpaid</c> or <c>paused</c>.</para>
/// <para><c>CurrentPeriodStart</c>: The billing period of the first item.</para>
/// <para><c>PriceId</c>: Price of the first item (this service sells one tier per subscription).</para>
/// </remarks>
public sealed record StripeSubscription(
    string Id,
    string? CustomerId,
    string? Status,
    bool CancelAtPeriodEnd,
    DateTimeOffset? CancelAt,
    DateTimeOffset? CanceledAt,
    DateTimeOffset? EndedAt,
    DateTimeOffset? CurrentPeriodStart,
    DateTimeOffset? CurrentPeriodEnd,
    string? PriceId,
    string? ProductId,
    IReadOnlyDictionary<string, string> PriceMetadata,
    string? LatestInvoiceId,
    IReadOnlyDictionary<string, string> Metadata,
    IReadOnlyList<StripeSubscriptionItem> Items,
    bool Livemode,
    DateTimeOffset? Created);

public sealed record StripeSubscriptionItem(
    string? Id,
    string? PriceId,
    string? ProductId,
    long? Quantity,
    DateTimeOffset? CurrentPeriodStart,
    DateTimeOffset? CurrentPeriodEnd);
