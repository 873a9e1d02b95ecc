using Billing.Application.Abstractions.Stripe;

namespace Billing.Infrastructure.Stripe;

/// <summary>Stands in for the adapter when the <c>STRIPE_*</c> variables are missing: every call is a 503, not a 500.</summary>
internal sealed class UnconfiguredStripeClient(string problem) : IStripeClient, IStripeListing
{
    public bool IsConfigured => false;

    public Task<StripePage<StripeListedEvent>> ListEventsAsync(DateTimeOffset createdSince, IReadOnlyCollection<string> types, string? startingAfter, int limit, CancellationToken cancellationToken) => Fail<StripePage<StripeListedEvent>>();

    public Task<StripePage<StripeCheckoutSession>> ListCompletedCheckoutSessionsAsync(DateTimeOffset createdSince, string? startingAfter, int limit, CancellationToken cancellationToken) => Fail<StripePage<StripeCheckoutSession>>();

    public Task<StripePage<StripeInvoice>> ListPaidInvoicesAsync(DateTimeOffset createdSince, string? startingAfter, int limit, CancellationToken cancellationToken) => Fail<StripePage<StripeInvoice>>();

    public Task<StripeCustomer> CreateCustomerAsync(StripeCustomerCreate options, string idempotencyKey, CancellationToken cancellationToken = default) => Fail<StripeCustomer>();

    public Task<StripeCheckoutSession> CreateCheckoutSessionAsync(StripeCheckoutSessionCreate options, string idempotencyKey, CancellationToken cancellationToken = default) => Fail<StripeCheckoutSession>();

    public Task<StripeCheckoutSession> GetCheckoutSessionAsync(string sessionId, CancellationToken cancellationToken = default) => Fail<StripeCheckoutSession>();

    public Task<StripePortalSession> CreatePortalSessionAsync(string customerId, string? returnUrl, string idempotencyKey, CancellationToken cancellationToken = default) => Fail<StripePortalSession>();

    public Task<StripeSubscription> GetSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken = default) => Fail<StripeSubscription>();

    public Task<StripeInvoice> GetInvoiceAsync(string invoiceId, CancellationToken cancellationToken = default) => Fail<StripeInvoice>();

    public Task<StripeCharge> GetChargeAsync(string chargeId, CancellationToken cancellationToken = default) => Fail<StripeCharge>();

    public Task<StripeDispute> GetDisputeAsync(string disputeId, CancellationToken cancellationToken = default) => Fail<StripeDispute>();

    private Task<T> Fail<T>() => Task.FromException<T>(new StripeNotConfiguredException(problem));
}

/// <summary>Without a webhook secret nothing can be verified: refuse (503, so Stripe retries once it is configured).</summary>
internal sealed class UnconfiguredStripeWebhookVerifier(string problem) : IStripeWebhookVerifier
{
    public StripeSignatureVerificationResult Verify(ReadOnlySpan<byte> payload, string? signatureHeader) =>
        throw new StripeNotConfiguredException(problem);
}
