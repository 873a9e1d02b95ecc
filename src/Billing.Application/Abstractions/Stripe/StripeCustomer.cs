namespace Billing.Application.Abstractions.Stripe;

public sealed record StripeCustomer(
    string Id,
    string? Email,
    string? Name,
    IReadOnlyDictionary<string, string> Metadata,
    DateTimeOffset? Created);
