using System.Text.Json;

namespace Billing.Application.Abstractions.Stripe;

public sealed record StripeCustomer(
    string Id,
    string? Email,
    string? Name,
    IReadOnlyDictionary<string, string> Metadata,
    DateTimeOffset? Created)
{
    public static StripeCustomer FromJson(JsonElement json) =>
        new(
            json.RequiredId("customer"),
            json.String("email"),
            json.String("name"),
            json.Metadata(),
            json.Timestamp("created"));
}
