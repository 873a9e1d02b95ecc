namespace Billing.Application.Abstractions.Stripe;

public sealed record StripePortalSession(string Id, string Url, string? CustomerId, string? ReturnUrl);
