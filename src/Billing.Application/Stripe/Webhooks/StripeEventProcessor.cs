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
internal sealed class StripeEventProcessor(IMediator mediator, IStripeEventReader reader, StripeSettings settings, ILogger<StripeEventProcessor> logger) : IProviderEventProcessor
{
    public string Provider => InboxProviders.Stripe;

    public async Task<(InboxOutcome Outcome, string? Reason)> ProcessAsync(InboxEvent inboxEvent, CancellationToken cancellationToken)
    {
        if (!reader.TryRead(Encoding.UTF8.GetBytes(inboxEvent.Payload), out var stripeEvent, out var error))
        {
            return (InboxOutcome.Ignored, $"unreadable Stripe event: {error}");
        }

        if (settings.Livemode is { } livemode && stripeEvent.Livemode != livemode)
        {
            return (InboxOutcome.Ignored, $"a {(stripeEvent.Livemode ? "live" : "test")}-mode event reached a {(livemode ? "live" : "test")}-mode service");
        }

        // The event's object is rendered in the endpoint's API version; the handlers re-fetch in the pinned one, but an
        // endpoint of another version is a set-up error to fix, not something to guess around (docs/stripe.md).
        if (stripeEvent.ApiVersion is { } version && version != StripeApiVersions.Pinned)
        {
            return (InboxOutcome.Ignored, $"rendered in Stripe API version {version}, not the pinned {StripeApiVersions.Pinned}: create the webhook endpoint with {StripeApiVersions.Pinned}");
        }

        var command = Route(stripeEvent);
        if (command is null)
        {
            return (InboxOutcome.Ignored, $"event type '{stripeEvent.Type}' is not handled");
        }

        try
        {
            var result = await mediator.Send(command, cancellationToken);
            return (result.Outcome, result.Reason);
        }
        catch (DomainException refused)
        {
            // A domain method checks before it changes anything; what earlier steps of the use case applied was legal on its own.
            logger.LogWarning("Stripe event {EventId} ({EventType}) refused by a business rule: {Code}: {Message}", stripeEvent.Id, stripeEvent.Type, refused.Code, refused.Message);
            return (InboxOutcome.Ignored, $"refused by a business rule ({refused.Code}): {refused.Message}");
        }
    }

    internal static IStripeEventCommand? Route(StripeEventEnvelope stripeEvent) => stripeEvent.Type switch
    {
        "checkout.session.completed" or "checkout.session.async_payment_succeeded" => new FulfillCheckoutSessionCommand(stripeEvent),
        "invoice.paid" => new RecordInvoicePaidCommand(stripeEvent),
        "invoice.payment_failed" => new RecordInvoicePaymentFailedCommand(stripeEvent),
        "customer.subscription.created" or "customer.subscription.updated" or "customer.subscription.deleted" => new SyncSubscriptionCommand(stripeEvent),
        "charge.refunded" => new RecordChargeRefundCommand(stripeEvent),
        "charge.dispute.created" or "charge.dispute.closed" => new RecordDisputeCommand(stripeEvent),
        _ => null,
    };
}
