using System.Text.Json;

namespace Billing.Application.Abstractions.Stripe;

/// <remarks>
/// <para><c>Status</c>: <c>incomplete</c>, <c>incomplete_expired</c>, <c>trialing</c>, <c>active</c>,
/// <c>past_due</c>, <c>canceled</c>, <c>unpaid</c> or <c>paused</c>.</para>
/// <para><c>CurrentPeriodStart</c>: From <c>items.data[0]</c> (API 2025-03-31.basil and later) or the top level (older).</para>
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
    DateTimeOffset? Created)
{
    public static StripeSubscription FromJson(JsonElement json)
    {
        var id = json.RequiredId("subscription");
        var items = json.ListItems("items").Select(StripeSubscriptionItem.FromJson).ToArray();
        var first = items.Length > 0 ? items[0] : null;
        var firstPrice = json.FirstListItem("items")?.Child("price");

        return new StripeSubscription(
            id,
            json.Id("customer"),
            json.String("status"),
            json.Bool("cancel_at_period_end") ?? false,
            json.Timestamp("cancel_at"),
            json.Timestamp("canceled_at"),
            json.Timestamp("ended_at"),
            // basil moved the period onto items; prefer it, fall back to the pre-basil top-level fields.
            first?.CurrentPeriodStart ?? json.Timestamp("current_period_start"),
            first?.CurrentPeriodEnd ?? json.Timestamp("current_period_end"),
            first?.PriceId,
            first?.ProductId,
            firstPrice is { } price ? price.Metadata() : new Dictionary<string, string>(),
            json.Id("latest_invoice"),
            json.Metadata(),
            items,
            json.Bool("livemode") ?? false,
            json.Timestamp("created"));
    }
}

public sealed record StripeSubscriptionItem(
    string? Id,
    string? PriceId,
    string? ProductId,
    long? Quantity,
    DateTimeOffset? CurrentPeriodStart,
    DateTimeOffset? CurrentPeriodEnd)
{
    public static StripeSubscriptionItem FromJson(JsonElement json)
    {
        var price = json.Child("price");
        return new StripeSubscriptionItem(
            json.String("id"),
            price?.String("id") ?? json.Id("price"),
            price?.Id("product"),
            json.Long("quantity"),
            json.Timestamp("current_period_start"),
            json.Timestamp("current_period_end"));
    }
}
