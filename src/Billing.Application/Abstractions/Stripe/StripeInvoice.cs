using System.Text.Json;

namespace Billing.Application.Abstractions.Stripe;

/// <remarks>
/// <para><c>SubscriptionId</c>: From <c>parent.subscription_details.subscription</c> (basil and later) or the
/// top-level <c>subscription</c> (older API versions).</para>
/// <para><c>BillingReason</c>: <c>subscription_create</c>, <c>subscription_cycle</c>, <c>subscription_update</c>, …</para>
/// <para><c>Status</c>: <c>draft</c>, <c>open</c>, <c>paid</c>, <c>uncollectible</c> or <c>void</c>.</para>
/// <para><c>Paid</c>: <c>status == "paid"</c>, or the pre-basil <c>paid</c> flag.</para>
/// <para><c>PeriodStart</c>: The billed service period: <c>lines.data[0].period.start</c>.</para>
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

    public static StripeInvoice FromJson(JsonElement json)
    {
        var id = json.RequiredId("invoice");
        var parentDetails = json.Path("parent", "subscription_details");
        var legacyDetails = json.Child("subscription_details");
        var firstLine = json.FirstListItem("lines");
        var period = firstLine?.Child("period");
        var status = json.String("status");

        return new StripeInvoice(
            id,
            json.Id("customer"),
            parentDetails?.Id("subscription") ?? json.Id("subscription"),
            json.String("billing_reason"),
            status,
            status == "paid" || json.Bool("paid") == true,
            json.Long("amount_paid"),
            json.Long("amount_due"),
            json.String("currency"),
            period?.Timestamp("start"),
            period?.Timestamp("end"),
            ReadLinePriceId(firstLine),
            json.Long("attempt_count"),
            json.Timestamp("next_payment_attempt"),
            json.Id("payment_intent"),
            json.Metadata(),
            parentDetails?.Metadata() ?? legacyDetails?.Metadata() ?? new Dictionary<string, string>(),
            json.Bool("livemode") ?? false,
            json.Timestamp("created"))
        {
            Lines = [.. json.ListItems("lines").Select(StripeInvoiceLine.FromJson)],
        };
    }

    internal static string? ReadLinePriceId(JsonElement? line)
    {
        if (line is not { } value)
        {
            return null;
        }

        // basil+: pricing.price_details.price; older: price.id (or a bare id).
        return value.Path("pricing", "price_details")?.Id("price") ?? value.Id("price");
    }
}

/// <summary>One invoice line: the price billed (basil+: <c>pricing.price_details</c>; older: the <c>price</c> object), its amount and period.</summary>
/// <remarks><c>PriceMetadata</c>: the price's metadata when the line carries the full price object (older API versions).</remarks>
public sealed record StripeInvoiceLine(
    string? PriceId,
    string? ProductId,
    long? Amount,
    DateTimeOffset? PeriodStart,
    DateTimeOffset? PeriodEnd,
    IReadOnlyDictionary<string, string> PriceMetadata)
{
    public static StripeInvoiceLine FromJson(JsonElement line)
    {
        var price = line.Child("price");
        var period = line.Child("period");
        return new StripeInvoiceLine(
            StripeInvoice.ReadLinePriceId(line),
            line.Path("pricing", "price_details")?.Id("product") ?? price?.Id("product"),
            line.Long("amount"),
            period?.Timestamp("start"),
            period?.Timestamp("end"),
            price is { ValueKind: JsonValueKind.Object } full ? full.Metadata() : new Dictionary<string, string>());
    }
}
