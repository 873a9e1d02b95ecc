namespace Billing.Application.Abstractions.Stripe;

/// <remarks>
/// <para><c>Status</c>: <c>warning_needs_response</c>, <c>needs_response</c>, <c>under_review</c>, <c>won</c>, <c>lost</c>, …</para>
/// </remarks>
public sealed record StripeDispute(
    string Id,
    string? ChargeId,
    string? PaymentIntentId,
    string? Status,
    long Amount,
    string? Currency,
    string? Reason,
    bool IsChargeRefundable,
    DateTimeOffset? EvidenceDueBy,
    IReadOnlyDictionary<string, string> Metadata,
    bool Livemode,
    DateTimeOffset? Created);
