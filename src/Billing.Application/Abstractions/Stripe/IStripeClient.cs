namespace Billing.Application.Abstractions.Stripe;

/// <summary>
/// The narrow slice of the Stripe REST API this service uses. Shaped after Stripe.net's services so the SDK
/// can replace the hand-written adapter later.
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

    /// <summary>
    /// Sets metadata keys on a session (audit marker only: Stripe has no compare-and-set, so the service's own
    /// database stays the idempotency authority). Keys mapped to an empty string are removed by Stripe.
    /// </summary>
    Task<StripeCheckoutSession> UpdateCheckoutSessionMetadataAsync(
        string sessionId,
        IReadOnlyDictionary<string, string> metadata,
        string idempotencyKey,
        CancellationToken cancellationToken = default);

    Task<StripePortalSession> CreatePortalSessionAsync(
        string customerId, string? returnUrl, string idempotencyKey, CancellationToken cancellationToken = default);

    Task<StripeSubscription> GetSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken = default);

    Task<StripeInvoice> GetInvoiceAsync(string invoiceId, CancellationToken cancellationToken = default);

    /// <summary>Retrieves a charge with <c>refunds</c> expanded (not included by default).</summary>
    Task<StripeCharge> GetChargeAsync(string chargeId, CancellationToken cancellationToken = default);

    /// <summary>Retrieves a dispute (its <c>status</c> is final once <c>won</c> or <c>lost</c>).</summary>
    Task<StripeDispute> GetDisputeAsync(string disputeId, CancellationToken cancellationToken = default);

    /// <summary>Retrieves an event (kept by Stripe for 30 days); useful to re-fetch instead of trusting a payload.</summary>
    Task<StripeEventEnvelope> GetEventAsync(string eventId, CancellationToken cancellationToken = default);
}
