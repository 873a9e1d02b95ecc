using Billing.Application.Abstractions.Persistence;
using Billing.Application.Abstractions.Stripe;
using Billing.Application.Inbox;
using Billing.Domain.Catalog;
using Billing.Domain.Common;
using Billing.Domain.Purchases;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Stripe.Webhooks.FulfillCheckoutSession;

/// <summary>
/// Acts on the re-fetched session (the event's snapshot is frozen at its creation: a delayed payment method shows <c>unpaid</c>
/// there forever) and fulfils only a settled payment. A pack: the purchase becomes paid, which owes its credits once
/// (grant key <c>stripe:checkout:{session}</c>, unique in the outbox). A subscription: the local subscription is started from
/// the re-fetched Stripe subscription, and its first invoice is granted under the same key invoice.paid uses, so whichever
/// of the two events is processed first grants and the other finds it done.
/// No Stripe-side "credits processed" marker is written: Stripe has no compare-and-set, and a write from inside this
/// transaction could claim a fulfilment that then rolls back. The database is the only authority.
/// </summary>
internal sealed class FulfillCheckoutSessionCommandHandler(
    IBillingDbContext db,
    StripeSubscriptionSync subscriptions,
    StripeTierResolver tiers,
    TimeProvider clock,
    ILogger<FulfillCheckoutSessionCommandHandler> logger)
    : IRequestHandler<FulfillCheckoutSessionCommand, ProviderEventResult>
{
    public async Task<ProviderEventResult> Handle(FulfillCheckoutSessionCommand request, CancellationToken cancellationToken)
    {
        var stripeEvent = request.Event;
        if (request.Session is not { } session)
        {
            return StripeFetch.Missing(stripeEvent, "checkout session");
        }

        if (!session.IsPaymentSettled)
        {
            return ProviderEventResult.Ignored($"checkout session {session.Id} is {session.Status}/{session.PaymentStatus ?? "no payment status"}: nothing is owed until it is paid");
        }

        return session.Mode switch
        {
            StripeCheckoutModes.Payment => await FulfillPack(session, stripeEvent.Created, cancellationToken),
            StripeCheckoutModes.Subscription => await FulfillSubscription(session, request.Subscription, request.Invoice, stripeEvent.Created, cancellationToken),
            _ => ProviderEventResult.Ignored($"checkout session {session.Id} has mode '{session.Mode}', which this service does not sell"),
        };
    }

    private async Task<ProviderEventResult> FulfillPack(StripeCheckoutSession session, DateTimeOffset occurredAt, CancellationToken cancellationToken)
    {
        var purchase = await db.Purchases.SingleOrDefaultAsync(p => p.Provider == PaymentProvider.Stripe && p.ProviderPurchaseId == session.Id, cancellationToken);
        if (purchase is null)
        {
            // Opened elsewhere, or our commit after Stripe's answer was lost: the metadata still says who bought what.
            var userIdText = StripeMetadata.FindUserId(session.Metadata) ?? session.ClientReferenceId;
            if (userIdText is null || StripeMetadata.FindProduct(session.Metadata) is not CreditPack pack)
            {
                logger.LogWarning("Paid checkout session {SessionId} names no user and credit pack; nothing granted", session.Id);
                return ProviderEventResult.Ignored($"paid checkout session {session.Id} names no user and credit pack (metadata {StripeMetadata.UserId}/{StripeMetadata.ProductId})");
            }

            purchase = Purchase.StartStripeCheckout(UserId.From(userIdText), pack, session.Id, clock.GetUtcNow());
            db.Purchases.Add(purchase);
        }

        if (session.AmountTotal is { } total && (total != purchase.Price.MinorUnits || !string.Equals(session.Currency, purchase.Price.Currency, StringComparison.OrdinalIgnoreCase)))
        {
            logger.LogWarning("Checkout session {SessionId} charged {Amount} {Currency} for {ProductId} priced {Price}", session.Id, total, session.Currency, purchase.ProductId, purchase.Price.Display());
        }

        return purchase.MarkPaid(session.PaymentIntentId, occurredAt)
            ? ProviderEventResult.Processed()
            : ProviderEventResult.Ignored($"checkout session {session.Id} was already fulfilled");
    }

    private async Task<ProviderEventResult> FulfillSubscription(
        StripeCheckoutSession session, StripeSubscription? remote, StripeInvoice? invoice, DateTimeOffset occurredAt, CancellationToken cancellationToken)
    {
        if (session.SubscriptionId is not { } subscriptionId)
        {
            return ProviderEventResult.Ignored($"paid subscription checkout {session.Id} has no subscription");
        }

        if (remote is null)
        {
            return ProviderEventResult.Ignored($"subscription {subscriptionId} of checkout session {session.Id} does not exist at Stripe");
        }

        if (StripeMetadata.FindProduct(session.Metadata) is SubscriptionTier bought)
        {
            // The session created its line prices for the tier it sold: invoices billed at them pay that tier (0013).
            await tiers.RecordCheckoutPricesAsync(session.LinePriceIds, bought, cancellationToken);
        }

        var hints = new StripeSubscriptionHints(session.Metadata, session.ClientReferenceId);
        var (subscription, problem) = await subscriptions.FindOrStartAsync(remote, hints, occurredAt, cancellationToken);
        if (subscription is null)
        {
            logger.LogWarning("Paid subscription checkout {SessionId}: {Problem}", session.Id, problem);
            return ProviderEventResult.Ignored(problem!);
        }

        if (invoice is null)
        {
            return ProviderEventResult.Processed($"subscription {remote.Id} recorded; its first invoice grants when invoice.paid arrives");
        }

        var (_, description) = await subscriptions.RecordPaidInvoiceAsync(subscription, invoice, remote, occurredAt, cancellationToken);
        return ProviderEventResult.Processed(description);
    }
}
