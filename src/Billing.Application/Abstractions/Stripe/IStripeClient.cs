namespace Billing.Application.Abstractions.Stripe;

/// <summary>
/// What the Stripe use cases need from Stripe (checkout, portal, and re-fetching the objects events are about), in our
/// own records; Infrastructure implements it over Stripe.net. Only methods production calls belong here.
/// </summary>
/// <remarks>
/// Idempotency keys are supplied by the caller: they must stay identical across retries of one logical call
/// (e.g. derived from user id + product + attempt scope), which only the caller can know.
/// Failures surface as <see cref="StripeApiException"/> (Stripe answered with an error) or
/// <see cref="StripeUnavailableException"/> (Stripe unreachable, overloaded or failing after retries).
/// </remarks>
public interface IStripeClient
{
    Task<StripeCustomer> CreateCustomerAsync(
        StripeCustomerCreate options, string idempotencyKey, CancellationToken cancellationToken = default);

    Task<StripeCheckoutSession> CreateCheckoutSessionAsync(
        StripeCheckoutSessionCreate options, string idempotencyKey, CancellationToken cancellationToken = default);

    Task<StripeCheckoutSession> GetCheckoutSessionAsync(string sessionId, CancellationToken cancellationToken = default);

    Task<StripePortalSession> CreatePortalSessionAsync(
        string customerId, string? returnUrl, string idempotencyKey, CancellationToken cancellationToken = default);

    Task<StripeSubscription> GetSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken = default);

    Task<StripeInvoice> GetInvoiceAsync(string invoiceId, CancellationToken cancellationToken = default);

    /// <summary>Retrieves a charge with <c>refunds</c> expanded (not included by default).</summary>
    Task<StripeCharge> GetChargeAsync(string chargeId, CancellationToken cancellationToken = default);

    /// <summary>Retrieves a dispute (its <c>status</c> is final once <c>won</c> or <c>lost</c>).</summary>
    Task<StripeDispute> GetDisputeAsync(string disputeId, CancellationToken cancellationToken = default);
}
