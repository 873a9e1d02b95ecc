namespace Billing.Application.Abstractions.Stripe;

public static class StripeApiVersions
{
    /// <summary>
    /// The version pinned by stripe-dotnet (<c>Constants/ApiVersion.cs</c>) at the time of writing. REST calls send it as
    /// <c>Stripe-Version</c>; the webhook endpoint must be created with the same <c>api_version</c> so both carry one
    /// shape (basil+ shapes: subscription period on items, invoice subscription under <c>parent</c>).
    /// </summary>
    public const string Pinned = "2026-07-29.dahlia";
}
