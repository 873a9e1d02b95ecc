using System.Text;
using Billing.Application.Abstractions.Stripe;
using Billing.Application.Inbox;
using Billing.Application.Stripe.Webhooks.FulfillCheckoutSession;
using Billing.Application.Stripe.Webhooks.RecordChargeRefund;
using Billing.Application.Stripe.Webhooks.RecordDispute;
using Billing.Application.Stripe.Webhooks.RecordInvoicePaid;
using Billing.Application.Stripe.Webhooks.RecordInvoicePaymentFailed;
using Billing.Application.Stripe.Webhooks.SyncSubscription;
using MediatR;

namespace Billing.Application.Stripe.Webhooks;

/// <summary>
/// Routes a stored Stripe event to its use case. Unknown types and events of the other mode (test vs live) are recorded as
/// ignored with the reason, never retried forever; Stripe outages throw and not-yet-actionable events answer
/// <see cref="ProviderEventResult.RetryLater"/>, so the inbox retries them with backoff. An event a business rule refuses
/// follows the inbox's one policy for every provider (docs/decisions/0040).
/// </summary>
internal sealed class StripeEventProcessor(IMediator mediator, IStripeClient stripe, IStripeEventReader reader, StripeSettings settings) : IProviderEventProcessor
{
    public string Provider => InboxProviders.Stripe;

    /// <summary>
    /// Outside any transaction: reads the stored event and fetches what its use case needs from Stripe. Returns the command
    /// to send, or the result already decided (unreadable, other mode, unhandled type). A Stripe outage throws: retried.
    /// </summary>
    public async Task<object?> PrepareAsync(InboxEvent inboxEvent, CancellationToken cancellationToken)
    {
        if (!reader.TryRead(Encoding.UTF8.GetBytes(inboxEvent.Payload), out var stripeEvent, out var error))
        {
            return ProviderEventResult.Ignored($"unreadable Stripe event: {error}");
        }

        if (settings.Livemode is { } livemode && stripeEvent.Livemode != livemode)
        {
            return ProviderEventResult.Ignored($"a {(stripeEvent.Livemode ? "live" : "test")}-mode event reached a {(livemode ? "live" : "test")}-mode service");
        }

        // The event's object is rendered in the endpoint's API version; the handlers re-fetch in the pinned one, but an
        // endpoint of another version is a set-up error to fix, not something to guess around (docs/stripe.md).
        if (stripeEvent.ApiVersion is { } version && version != StripeApiVersions.Pinned)
        {
            return ProviderEventResult.Ignored($"rendered in Stripe API version {version}, not the pinned {StripeApiVersions.Pinned}: create the webhook endpoint with {StripeApiVersions.Pinned}");
        }

        return Route(stripeEvent) is { } fetch
            ? await fetch(stripe, cancellationToken)
            : ProviderEventResult.Ignored($"event type '{stripeEvent.Type}' is not handled");
    }

    public Task<ProviderEventResult> ProcessAsync(InboxEvent inboxEvent, object? prepared, CancellationToken cancellationToken) =>
        PreparedProviderEvent.SendAsync(mediator, inboxEvent, prepared, cancellationToken);

    /// <summary>Every event type <see cref="Route"/> handles (reconciliation lists exactly these from Stripe).</summary>
    internal static readonly IReadOnlyList<string> HandledTypes =
    [
        "checkout.session.completed", "checkout.session.async_payment_succeeded", "invoice.paid", "invoice.payment_failed",
        "customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted",
        "charge.refunded", "charge.dispute.created", "charge.dispute.closed",
    ];

    /// <summary>The use case of an event type, as the fetch that builds its command; null for a type this service does not handle.</summary>
    internal static Func<IStripeClient, CancellationToken, Task<IStripeEventCommand>>? Route(StripeEventEnvelope stripeEvent) => stripeEvent.Type switch
    {
        "checkout.session.completed" or "checkout.session.async_payment_succeeded" => (stripe, ct) => FulfillCheckoutSessionCommand.FetchAsync(stripeEvent, stripe, ct),
        "invoice.paid" => (stripe, ct) => RecordInvoicePaidCommand.FetchAsync(stripeEvent, stripe, ct),
        "invoice.payment_failed" => (stripe, ct) => RecordInvoicePaymentFailedCommand.FetchAsync(stripeEvent, stripe, ct),
        "customer.subscription.created" or "customer.subscription.updated" or "customer.subscription.deleted" => (stripe, ct) => SyncSubscriptionCommand.FetchAsync(stripeEvent, stripe, ct),
        "charge.refunded" => (stripe, ct) => RecordChargeRefundCommand.FetchAsync(stripeEvent, stripe, ct),
        "charge.dispute.created" or "charge.dispute.closed" => (stripe, ct) => RecordDisputeCommand.FetchAsync(stripeEvent, stripe, ct),
        _ => null,
    };
}
