using Billing.Application.Abstractions.Persistence;
using Billing.Application.Abstractions.Stripe;
using Billing.Application.Inbox;
using Billing.Application.Inbox.ReceiveProviderEvent;
using Billing.Application.Stripe.Webhooks;
using Billing.Domain.Common;
using MediatR;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Reconciliation;

/// <summary>
/// Stripe ↔ billing. Events of the types we handle that never reached the inbox are stored there (listed with the secret
/// key, so authentic) and processed like any delivery; then every completed, paid checkout session and every paid invoice of
/// the window must have its purchase or paid period, and its grant. Objects with an event still waiting in the inbox are
/// on their way, not findings.
/// </summary>
internal sealed partial class StripeReconciler(IStripeListing stripe, IBillingDbContext db, IMediator mediator, ILogger<StripeReconciler> logger) : ISourceReconciler
{
    private const int PageSize = 100;

    public string Source => ReconciliationSources.Stripe;

    public string? NotConfigured => stripe.IsConfigured ? null : "Stripe is not configured (STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET)";

    /// <summary>Stripe lists events of the last 30 days only.</summary>
    public TimeSpan MaxWindow => TimeSpan.FromDays(30);

    public async Task<SourceReconciliation> RunAsync(ReconciliationWindow window, bool dryRun, IProgress<ReconciliationProgress>? progress, CancellationToken cancellationToken)
    {
        var findings = new List<ReconciliationFinding>();
        var missedObjects = new HashSet<string>(StringComparer.Ordinal);
        var examined = await MissedEventsAsync(window, dryRun, findings, missedObjects, progress, cancellationToken);
        examined += await CheckoutSessionsAsync(window, findings, missedObjects, progress, cancellationToken);
        examined += await InvoicesAsync(window, findings, missedObjects, progress, cancellationToken);
        return new SourceReconciliation(examined, findings);
    }

    private async Task<int> MissedEventsAsync(
        ReconciliationWindow window, bool dryRun, List<ReconciliationFinding> findings, HashSet<string> missedObjects, IProgress<ReconciliationProgress>? progress, CancellationToken ct)
    {
        var examined = 0;
        string? after = null;
        while (true)
        {
            var page = await stripe.ListEventsAsync(window.Start, StripeEventProcessor.HandledTypes, after, PageSize, ct);
            var known = await db.InboxEventIdsAsync(InboxProviders.Stripe, [.. page.Items.Select(e => e.Event.Id)], ct);
            foreach (var listed in page.Items)
            {
                var stripeEvent = listed.Event;
                if (known.Contains(stripeEvent.Id) || stripeEvent.Created > window.End)
                {
                    continue;
                }

                if (stripeEvent.DataObjectId is { } objectId)
                {
                    missedObjects.Add(objectId);
                }

                var fixedNow = false;
                if (!dryRun)
                {
                    // The normal intake: the inbox processor acts on it exactly as on a webhook delivery.
                    var received = await mediator.Send(new ReceiveProviderEventCommand(InboxProviders.Stripe, stripeEvent.Id, stripeEvent.Type, listed.Json, stripeEvent.Created), ct);
                    if (received.Duplicate)
                    {
                        continue; // the webhook arrived meanwhile
                    }

                    fixedNow = true;
                    LogMissedEventStored(stripeEvent.Id, stripeEvent.Type);
                }

                findings.Add(new ReconciliationFinding(
                    FindingKinds.StripeEventMissed,
                    $"stripe:event:{stripeEvent.Id}",
                    null,
                    $"{stripeEvent.Type} ({stripeEvent.DataObjectId ?? "no object"}) in the inbox",
                    fixedNow ? "never delivered; stored in the inbox from the events list" : "never delivered",
                    fixedNow));
            }

            examined += page.Items.Count;
            progress?.Report(new ReconciliationProgress("stripe events", examined));
            if (!page.HasMore || page.Items.Count == 0)
            {
                return examined;
            }

            after = page.Items[^1].Event.Id;
        }
    }

    private async Task<int> CheckoutSessionsAsync(
        ReconciliationWindow window, List<ReconciliationFinding> findings, HashSet<string> missedObjects, IProgress<ReconciliationProgress>? progress, CancellationToken ct)
    {
        var examined = 0;
        string? after = null;
        while (true)
        {
            var page = await stripe.ListCompletedCheckoutSessionsAsync(window.Start, after, PageSize, ct);
            var paid = page.Items.Where(s => s.IsPaymentSettled && s.Created <= window.End && !missedObjects.Contains(s.Id)).ToList();
            var oneOff = paid.Where(s => s.Mode == "payment").Select(s => s.Id).ToArray();
            var purchases = await db.StripePurchasesAsync(oneOff, ct);
            var grants = await db.GrantKeysAsync([.. oneOff.Select(id => GrantKey.ForStripeCheckoutSession(id).Value)], ct);
            var subscriptions = await db.StripeSubscriptionIdsAsync([.. paid.Where(s => s.Mode == "subscription" && s.SubscriptionId is not null).Select(s => s.SubscriptionId!)], ct);
            foreach (var session in paid)
            {
                var finding = session.Mode switch
                {
                    "payment" => CheckPurchase(session, purchases, grants),
                    "subscription" when session.SubscriptionId is { } subscriptionId && !subscriptions.Contains(subscriptionId) => new ReconciliationFinding(
                        FindingKinds.StripeSubscriptionMissing, $"stripe:subscription:{subscriptionId}", session.ClientReferenceId,
                        $"subscription {subscriptionId} of paid checkout session {session.Id}", "billing does not know the subscription"),
                    _ => null,
                };
                if (finding is not null && !await db.HasPendingInboxEventAboutAsync(InboxProviders.Stripe, session.Id, ct))
                {
                    findings.Add(finding);
                }
            }

            examined += page.Items.Count;
            progress?.Report(new ReconciliationProgress("stripe checkout sessions", examined));
            if (!page.HasMore || page.Items.Count == 0)
            {
                return examined;
            }

            after = page.Items[^1].Id;
        }
    }

    private static ReconciliationFinding? CheckPurchase(StripeCheckoutSession session, Dictionary<string, ReconciliationLookups.PurchaseRow> purchases, HashSet<string> grants)
    {
        var key = GrantKey.ForStripeCheckoutSession(session.Id).Value;
        var expected = $"a paid purchase for checkout session {session.Id} ({session.AmountTotal} {session.Currency}) and grant {key}";
        if (!purchases.TryGetValue(session.Id, out var purchase))
        {
            return new ReconciliationFinding(FindingKinds.StripePurchaseMissing, $"stripe:checkout:{session.Id}", session.ClientReferenceId, expected, "no purchase");
        }

        if (purchase.Status == "pending")
        {
            return new ReconciliationFinding(FindingKinds.StripePurchaseMissing, $"stripe:checkout:{session.Id}", purchase.UserId, expected, "the purchase is still pending: its payment was never recorded");
        }

        return purchase.Credits > 0 && !grants.Contains(key)
            ? new ReconciliationFinding(FindingKinds.GrantMissing, key, purchase.UserId, $"grant {key} of {purchase.Credits} credits", $"purchase is {purchase.Status} but has no grant")
            : null;
    }

    private async Task<int> InvoicesAsync(
        ReconciliationWindow window, List<ReconciliationFinding> findings, HashSet<string> missedObjects, IProgress<ReconciliationProgress>? progress, CancellationToken ct)
    {
        var examined = 0;
        string? after = null;
        while (true)
        {
            var page = await stripe.ListPaidInvoicesAsync(window.Start, after, PageSize, ct);

            // Only invoices that pay a period of their own (StripeSubscriptionSync.RecordPaidInvoiceAsync): prorations pay none.
            var periodic = page.Items
                .Where(i => i.Paid && i.SubscriptionId is not null && i.BillingReason is "subscription_create" or "subscription_cycle" or "subscription"
                            && i.Created <= window.End && !missedObjects.Contains(i.Id))
                .ToList();
            var keys = periodic.Select(i => GrantKey.ForStripeInvoice(i.Id).Value).ToArray();
            var periods = await db.PeriodsByGrantKeyAsync(keys, ct);
            var grants = await db.GrantKeysAsync(keys, ct);
            foreach (var invoice in periodic)
            {
                var key = GrantKey.ForStripeInvoice(invoice.Id).Value;
                ReconciliationFinding? finding = null;
                if (!periods.TryGetValue(key, out var period))
                {
                    finding = new ReconciliationFinding(FindingKinds.StripePeriodMissing, $"stripe:invoice:{invoice.Id}", null,
                        $"the period {invoice.PeriodStart:O}–{invoice.PeriodEnd:O} of subscription {invoice.SubscriptionId} recorded as paid (invoice {invoice.Id}, {invoice.AmountPaid} {invoice.Currency})",
                        "no paid period");
                }
                else if (period.Credits > 0 && !grants.Contains(key))
                {
                    finding = new ReconciliationFinding(FindingKinds.GrantMissing, key, period.UserId, $"grant {key} of {period.Credits} credits", "the paid period has no grant");
                }

                if (finding is not null && !await db.HasPendingInboxEventAboutAsync(InboxProviders.Stripe, invoice.Id, ct))
                {
                    findings.Add(finding);
                }
            }

            examined += page.Items.Count;
            progress?.Report(new ReconciliationProgress("stripe invoices", examined));
            if (!page.HasMore || page.Items.Count == 0)
            {
                return examined;
            }

            after = page.Items[^1].Id;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reconciliation: Stripe event {EventId} ({EventType}) was never delivered; stored in the inbox")]
    private partial void LogMissedEventStored(string eventId, string eventType);
}
