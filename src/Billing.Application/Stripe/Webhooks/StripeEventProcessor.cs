using System.Text;
using Billing.Application.Abstractions.Stripe;
using Billing.Application.Inbox;
using Billing.Application.Stripe.Webhooks.FulfillCheckoutSession;
using Billing.Application.Stripe.Webhooks.RecordChargeRefund;
using Billing.Application.Stripe.Webhooks.RecordDispute;
using Billing.Application.Stripe.Webhooks.RecordInvoicePaid;
using Billing.Application.Stripe.Webhooks.RecordInvoicePaymentFailed;
using Billing.Application.Stripe.Webhooks.SyncSubscription;
using Billing.Domain.Common;
using MediatR;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Stripe.Webhooks;

/// <summary>
/// Routes a stored Stripe event to its use case. Unknown types, events of the other mode (test vs live) and events a
/// business rule refuses (a stale or irrelevant transition) are recorded as ignored with the reason, never retried forever;
/// Stripe outages and not-yet-actionable events throw, so the inbox retries them with backoff.
/// </summary>
internal sealed class StripeEventProcessor(IMediator mediator, IStripeClient stripe, IStripeEventReader reader, StripeSettings settings, ILogger<StripeEventProcessor> logger) : IProviderEventProcessor
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
            return StripeEventResult.Ignored($"unreadable Stripe event: {error}");
        }

        if (settings.Livemode is { } livemode && stripeEvent.Livemode != livemode)
        {
            return StripeEventResult.Ignored($"a {(stripeEvent.Livemode ? "live" : "test")}-mode event reached a {(livemode ? "live" : "test")}-mode service");
        }

        // The event's object is rendered in the endpoint's API version; the handlers re-fetch in the pinned one, but an
        // endpoint of another version is a set-up error to fix, not something to guess around (docs/stripe.md).
        if (stripeEvent.ApiVersion is { } version && version != StripeApiVersions.Pinned)
        {
            return StripeEventResult.Ignored($"rendered in Stripe API version {version}, not the pinned {StripeApiVersions.Pinned}: create the webhook endpoint with {StripeApiVersions.Pinned}");
        }

        return Route(stripeEvent) is { } fetch
            ? await fetch(stripe, cancellationToken)
            : StripeEventResult.Ignored($"event type '{stripeEvent.Type}' is not handled");
    }

    public async Task<(InboxOutcome Outcome, string? Reason)> ProcessAsync(InboxEvent inboxEvent, object? prepared, CancellationToken cancellationToken)
    {
        if (prepared is StripeEventResult decided)
        {
            return (decided.Outcome, decided.Reason);
        }

        var command = prepared as IStripeEventCommand
            ?? throw new InvalidOperationException($"Stripe event {inboxEvent.EventId} was not prepared before its transaction.");
        try
        {
            var result = await mediator.Send(command, cancellationToken);
            return (result.Outcome, result.Reason);
        }
        catch (DomainException refused)
        {
            // A domain method checks before it changes anything; what earlier steps of the use case applied was legal on its own.
            logger.LogWarning("Stripe event {EventId} ({EventType}) refused by a business rule: {Code}: {Message}", command.Event.Id, command.Event.Type, refused.Code, refused.Message);
            return (InboxOutcome.Ignored, $"refused by a business rule ({refused.Code}): {refused.Message}");
        }
    }

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
