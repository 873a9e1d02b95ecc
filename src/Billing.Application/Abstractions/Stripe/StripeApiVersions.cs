namespace Billing.Application.Abstractions.Stripe;

public static class StripeApiVersions
{
    /// <summary>
    /// The version Stripe.net 53.1.0 is generated for and sends as <c>Stripe-Version</c> on every request. The webhook
    /// endpoint must be created with the same <c>api_version</c>: an event rendered in another version is acknowledged and
    /// recorded in the inbox, but not processed (docs/stripe.md).
    /// </summary>
    public const string Pinned = "2026-10-28.endive";
}
