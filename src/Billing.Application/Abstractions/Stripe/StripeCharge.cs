namespace Billing.Application.Abstractions.Stripe;

/// <remarks>
/// <para><c>AmountRefunded</c>: Cumulative, in minor units: claw back the difference to what was already seen.</para>
/// <para><c>Refunded</c>: True only when fully refunded.</para>
/// <para><c>Refunds</c>: Present only when <c>refunds</c> was expanded (or on pre-2022 API versions).</para>
/// </remarks>
public sealed record StripeCharge(
    string Id,
    string? PaymentIntentId,
    string? CustomerId,
    long Amount,
    long AmountRefunded,
    bool Refunded,
    string? Currency,
    string? Status,
    bool Disputed,
    IReadOnlyList<StripeRefund> Refunds,
    IReadOnlyDictionary<string, string> Metadata,
    bool Livemode,
    DateTimeOffset? Created);

/// <remarks>
/// <para><c>Status</c>: <c>pending</c>, <c>requires_action</c>, <c>succeeded</c>, <c>failed</c> or <c>canceled</c>.</para>
/// </remarks>
public sealed record StripeRefund(
    string Id,
    long Amount,
    string? Status,
    string? ChargeId,
    string? PaymentIntentId,
    string? Reason,
    string? Currency,
    IReadOnlyDictionary<string, string> Metadata,
    DateTimeOffset? Created);
