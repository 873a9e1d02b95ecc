namespace Billing.Application.Abstractions.Stripe;

/// <summary>
/// The Stripe list calls reconciliation needs (newest first, as Stripe lists): events of the types we handle, completed
/// checkout sessions and paid invoices, each created at or after a time. Pages follow Stripe's cursor (<c>starting_after</c>
/// the last id of the previous page). Infrastructure implements it over Stripe.net; failures surface as
/// <see cref="StripeApiException"/> or <see cref="StripeUnavailableException"/>, like <see cref="IStripeClient"/>.
/// </summary>
public interface IStripeListing
{
    /// <summary>False when the <c>STRIPE_*</c> keys are missing: nothing can be listed (a scheduled run skips Stripe).</summary>
    bool IsConfigured { get; }

    Task<StripePage<StripeListedEvent>> ListEventsAsync(DateTimeOffset createdSince, IReadOnlyCollection<string> types, string? startingAfter, int limit, CancellationToken cancellationToken);

    /// <summary>Sessions with <c>status=complete</c> (the caller checks <c>payment_status</c>).</summary>
    Task<StripePage<StripeCheckoutSession>> ListCompletedCheckoutSessionsAsync(DateTimeOffset createdSince, string? startingAfter, int limit, CancellationToken cancellationToken);

    /// <summary>Invoices with <c>status=paid</c>.</summary>
    Task<StripePage<StripeInvoice>> ListPaidInvoicesAsync(DateTimeOffset createdSince, string? startingAfter, int limit, CancellationToken cancellationToken);
}

public sealed record StripePage<T>(IReadOnlyList<T> Items, bool HasMore);

/// <summary>An event as listed: what it says, and its JSON exactly as Stripe rendered it (what the inbox stores).</summary>
public sealed record StripeListedEvent(StripeEventEnvelope Event, string Json);
