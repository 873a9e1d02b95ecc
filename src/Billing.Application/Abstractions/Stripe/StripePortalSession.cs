using System.Text.Json;

namespace Billing.Application.Abstractions.Stripe;

public sealed record StripePortalSession(string Id, string Url, string? CustomerId, string? ReturnUrl)
{
    public static StripePortalSession FromJson(JsonElement json) =>
        new(
            json.RequiredId("billing portal session"),
            json.String("url") ?? throw new StripeObjectFormatException("The billing portal session has no 'url'."),
            json.Id("customer"),
            json.String("return_url"));
}
