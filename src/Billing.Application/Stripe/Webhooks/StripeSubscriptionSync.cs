using Billing.Application.Abstractions.Attention;
using Billing.Application.Abstractions.Persistence;
using Billing.Application.Abstractions.Stripe;
using Billing.Domain.Catalog;
using Billing.Domain.Common;
using Billing.Domain.Subscriptions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Stripe.Webhooks;

/// <summary>Where else a Stripe subscription's user and tier may be named when its own metadata does not say.</summary>
internal sealed record StripeSubscriptionHints(IReadOnlyDictionary<string, string>? Metadata, string? UserId);

/// <summary>
/// The shared rules between the Stripe subscription events: finding or starting the local subscription from the Stripe
/// one, mirroring Stripe's state onto it, and granting a paid invoice's period. All of them are keyed and guarded by the
/// aggregate (one subscription per Stripe id, one grant per invoice and per period, older events never regress state).
/// </summary>
internal sealed class StripeSubscriptionSync(IBillingDbContext db, StripeTierResolver tiers, IAttentionList attention, TimeProvider clock, ILogger<StripeSubscriptionSync> logger)
{
    /// <summary>Billing reasons whose invoice pays a whole period of the tier (<c>subscription</c> is the pre-2018 name).</summary>
    private static readonly HashSet<string> PeriodBillingReasons = ["subscription_create", "subscription_cycle", "subscription"];

    public Task<Subscription?> FindAsync(string stripeSubscriptionId, CancellationToken cancellationToken) =>
        db.Subscriptions.SingleOrDefaultAsync(s => s.Source == SubscriptionSource.Stripe && s.ProviderSubscriptionId == stripeSubscriptionId, cancellationToken);

    /// <summary>
    /// The local subscription for <paramref name="remote"/>, started (and brought to Stripe's current state) when it does not
    /// exist yet. Null with the reason when neither the subscription, the hints nor the customer name a user and a tier.
    /// Two concurrent starts meet on the unique (source, provider id) and the loser is re-run on fresh state.
    /// </summary>
    public async Task<(Subscription? Subscription, string? Problem)> FindOrStartAsync(
        StripeSubscription remote, StripeSubscriptionHints hints, DateTimeOffset occurredAt, CancellationToken cancellationToken)
    {
        var existing = await FindAsync(remote.Id, cancellationToken);
        if (existing is not null)
        {
            return (existing, null);
        }

        var userIdText = StripeMetadata.FindUserId(remote.Metadata, hints.Metadata)
            ?? hints.UserId
            ?? await UserOfStripeCustomer(remote.CustomerId, cancellationToken);
        if (userIdText is null)
        {
            return (null, $"Stripe subscription {remote.Id} names no user (metadata {StripeMetadata.UserId}, client reference or a known customer)");
        }

        if (StripeMetadata.FindProduct(remote.PriceMetadata, remote.Metadata, hints.Metadata) is not SubscriptionTier tier)
        {
            return (null, $"Stripe subscription {remote.Id} names no subscription tier (metadata {StripeMetadata.ProductId})");
        }

        var subscription = Subscription.Start(
            UserId.From(userIdText), SubscriptionSource.Stripe, tier, remote.Id, PeriodOf(remote.CurrentPeriodStart, remote.CurrentPeriodEnd), occurredAt, clock.GetUtcNow());
        db.Subscriptions.Add(subscription);
        logger.LogInformation("Stripe subscription {StripeSubscriptionId} started for user {UserId} on tier {Tier}", remote.Id, userIdText, tier.Tier);
        ApplyRemoteState(subscription, remote, occurredAt);
        return (subscription, null);
    }

    /// <summary>
    /// Mirrors Stripe's current state (re-fetched, so never older than the event) at the event's time; the aggregate refuses
    /// it when a newer event was already applied. Returns whether anything changed, and a description either way.
    /// </summary>
    public (bool Changed, string Description) ApplyRemoteState(Subscription local, StripeSubscription remote, DateTimeOffset occurredAt)
    {
        if (local.Status == SubscriptionStatus.Expired)
        {
            // A Stripe subscription that ended never comes back (resubscribing creates a new one).
            return (false, $"subscription {remote.Id} already expired here; Stripe reports {remote.Status}");
        }

        var changes = new List<string>();
        if (StripeMetadata.FindProduct(remote.PriceMetadata, remote.Metadata) is SubscriptionTier tier
            && tier.Tier != local.Tier
            && local.ChangeTier(tier, occurredAt))
        {
            changes.Add($"tier {tier.Tier}");
        }

        var cancelScheduled = remote.CancelAtPeriodEnd || remote.CancelAt is not null;
        var before = local.Status;
        var changed = remote.Status switch
        {
            "active" or "trialing" when cancelScheduled => local.Cancel(occurredAt),
            "active" or "trialing" when local.Status == SubscriptionStatus.Canceled => local.Resume(occurredAt),
            // Recovers a past-due one; on an active one it records the newest word, so an older event cannot regress it.
            "active" or "trialing" => local.RecoverFromPastDue(occurredAt),
            "past_due" or "unpaid" => local.MarkPastDue(occurredAt),
            "canceled" or "incomplete_expired" => local.Expire(occurredAt),
            _ => false, // incomplete, paused: nothing this service mirrors
        };
        if (changed)
        {
            changes.Add($"{before} → {local.Status}");
        }

        return changes.Count > 0
            ? (true, $"subscription {remote.Id}: {string.Join(", ", changes)}")
            : (false, $"subscription {remote.Id} unchanged (Stripe {remote.Status}{(cancelScheduled ? ", cancel scheduled" : "")}; here {local.Status}; an event older than the last applied changes nothing)");
    }

    /// <summary>
    /// A paid invoice owes credits for the period it bills, once: keyed by the invoice and refused for a period already paid,
    /// whichever event (invoice.paid or checkout.session.completed) gets here first. The credits follow the money collected
    /// (docs/decisions/0013): the tier of the price the invoice billed, never the subscription's current tier; nothing for an
    /// invoice that collected nothing; and a price that maps to no tier grants nothing and goes to the attention list.
    /// </summary>
    public async Task<(bool Granted, string Description)> RecordPaidInvoiceAsync(Subscription local, StripeInvoice invoice, StripeSubscription? remote, DateTimeOffset occurredAt, CancellationToken cancellationToken)
    {
        if (!invoice.Paid)
        {
            return (false, $"invoice {invoice.Id} is {invoice.Status}, not paid");
        }

        if (invoice.BillingReason is null || !PeriodBillingReasons.Contains(invoice.BillingReason))
        {
            // Proration invoices of a plan change (subscription_update) and one-off invoices pay no period of their own:
            // a tier change takes effect with the next cycle (docs/decisions/0005).
            return (false, $"invoice {invoice.Id} ({invoice.BillingReason ?? "no billing reason"}) pays no subscription period");
        }

        if (PeriodOf(invoice.PeriodStart ?? remote?.CurrentPeriodStart, invoice.PeriodEnd ?? remote?.CurrentPeriodEnd) is not { } period)
        {
            throw new StripeObjectFormatException($"Paid invoice {invoice.Id} carries no billing period.");
        }

        var key = GrantKey.ForStripeInvoice(invoice.Id);
        if (local.HasPaidPeriod(period.Start) || local.PaidPeriods.Any(p => p.GrantKey == key.Value))
        {
            return (false, $"invoice {invoice.Id} (period {period}) was already granted");
        }

        var line = PeriodLine(invoice);
        var tier = line is null ? null : await tiers.ResolveAsync(line, cancellationToken);
        if (tier is null)
        {
            var reason = $"invoice {invoice.Id} of subscription {local.ProviderSubscriptionId} was paid at price {line?.PriceId ?? "(none)"}, which maps to no subscription tier ({StripePriceMap.Variable}, or a price our Checkout created): nothing granted, nothing guessed";
            await attention.RaiseAsync(AttentionKinds.UnmappedStripePrice, key.Value, local.UserId.Value, reason, cancellationToken);
            logger.LogError("Stripe {Reason}", reason);
            return (false, reason + " (on the attention list)");
        }

        // A period paid with nothing (trial, 100 % coupon, customer balance) grants nothing: the money behind a balance was
        // already granted with the period it paid for.
        var credits = invoice.AmountPaid is 0 ? Credits.Zero : tier.CreditsPerPeriod;
        local.RecordPaidPeriod(period, key, occurredAt, clock.GetUtcNow(), credits);
        return credits == Credits.Zero
            ? (false, $"invoice {invoice.Id} collected nothing (amount_paid 0): period {period} recorded, no credits granted")
            : (true, $"invoice {invoice.Id} granted {credits} credits ({tier.Tier}, price {line!.PriceId}) for {period}");
    }

    /// <summary>The line that bills the invoice's period (the subscription item), else the first line with a price.</summary>
    private static StripeInvoiceLine? PeriodLine(StripeInvoice invoice) =>
        invoice.Lines.FirstOrDefault(l => l.PriceId is not null && l.PeriodStart == invoice.PeriodStart && l.PeriodEnd == invoice.PeriodEnd)
        ?? invoice.Lines.FirstOrDefault(l => l.PriceId is not null);

    private async Task<string?> UserOfStripeCustomer(string? stripeCustomerId, CancellationToken cancellationToken)
    {
        if (stripeCustomerId is null)
        {
            return null;
        }

        var customer = await db.Customers.AsNoTracking().SingleOrDefaultAsync(c => c.StripeCustomerId == stripeCustomerId, cancellationToken);
        return customer?.UserId.Value;
    }

    private static BillingPeriod? PeriodOf(DateTimeOffset? start, DateTimeOffset? end) =>
        start is { } s && end is { } e && e > s ? BillingPeriod.Of(s, e) : null;
}
