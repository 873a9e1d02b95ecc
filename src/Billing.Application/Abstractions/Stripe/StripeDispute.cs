using System.Text.Json;

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
    DateTimeOffset? Created)
{
    public static StripeDispute FromJson(JsonElement json) =>
        new(
            json.RequiredId("dispute"),
            json.Id("charge"),
            json.Id("payment_intent"),
            json.String("status"),
            json.Long("amount") ?? 0,
            json.String("currency"),
            json.String("reason"),
            json.Bool("is_charge_refundable") ?? false,
            json.Path("evidence_details")?.Timestamp("due_by"),
            json.Metadata(),
            json.Bool("livemode") ?? false,
            json.Timestamp("created"));
}
