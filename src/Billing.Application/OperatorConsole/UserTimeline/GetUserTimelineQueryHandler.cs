using Billing.Application.Abstractions.Persistence;
using Billing.Application.Grants.ListGrants;
using Billing.Application.Inbox;
using Billing.Domain.Common;
using Billing.Domain.Grants;
using Billing.Domain.Subscriptions;
using Mapster;
using MediatR;
using Microsoft.EntityFrameworkCore;
using static Billing.Application.Status.GetBillingStatus.GetBillingStatusQueryHandler;

namespace Billing.Application.OperatorConsole.UserTimeline;

internal sealed class GetUserTimelineQueryHandler(IBillingDbContext db) : IRequestHandler<GetUserTimelineQuery, UserTimeline>
{
    private const int MaxEvents = 200;

    public async Task<UserTimeline> Handle(GetUserTimelineQuery request, CancellationToken cancellationToken)
    {
        var userId = UserId.From(request.UserId);
        var customer = await db.Customers.AsNoTracking().SingleOrDefaultAsync(c => c.UserId == userId, cancellationToken);
        var subscriptions = await db.Subscriptions.AsNoTracking().Where(s => s.UserId == userId).OrderByDescending(s => s.CreatedAt).ToListAsync(cancellationToken);
        var purchases = await db.Purchases.AsNoTracking().Where(p => p.UserId == userId).OrderByDescending(p => p.CreatedAt).ToListAsync(cancellationToken);
        var grants = await db.CreditGrants.AsNoTracking().Where(g => g.UserId == userId).OrderByDescending(g => g.CreatedAt).ToListAsync(cancellationToken);

        // Provider events carry the provider's ids, not always ours: match any id this user is known by in the raw payload.
        var ids = new[] { userId.Value, customer?.StripeCustomerId }
            .Concat(subscriptions.Select(s => s.ProviderSubscriptionId))
            .Concat(purchases.Select(p => p.ProviderPurchaseId))
            .Concat(purchases.Select(p => p.ProviderPaymentId))
            .OfType<string>().Where(id => id.Length >= 6).Distinct().ToArray();
        var patterns = ids.Select(id => $"%\"{id.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal)}\"%").ToArray();
        var events = await db.InboxEvents
            .FromSqlInterpolated($"SELECT i.*, i.xmin FROM inbox_events i WHERE i.payload LIKE ANY ({patterns})")
            .AsNoTracking().OrderByDescending(e => e.Id).Take(MaxEvents).ToListAsync(cancellationToken);

        var grantKeys = grants.Select(g => g.GrantKey.Value).ToList();
        var audit = await db.AuditLog.AsNoTracking().Where(a => a.ObjectType == "grant" && grantKeys.Contains(a.ObjectId)).ToListAsync(cancellationToken);

        var items = new List<TimelineItem>();
        if (customer is not null)
        {
            items.Add(new TimelineItem(customer.CreatedAt, "customer", "Customer record created", $"{customer.Email ?? "no email"} · Stripe customer {customer.StripeCustomerId ?? "none"}"));
        }

        items.AddRange(events.Select(e => new TimelineItem(e.ProviderCreatedAt ?? e.ReceivedAt, "event", $"{e.Provider} {e.EventType} received", $"{e.EventId} · {e.Status.ToString().ToLowerInvariant()}{(e.LastError is null ? "" : " · " + e.LastError)}", InboxEventId: e.Id)));
        foreach (var p in purchases)
        {
            items.Add(new TimelineItem(p.CreatedAt, "purchase", $"Purchase started: {p.ProductId}", $"{p.Provider} {p.ProviderPurchaseId} · {p.Price.Display()} · {p.Credits.Value} credits"));
            if (p.PaidAt is { } paidAt)
            {
                items.Add(new TimelineItem(paidAt, "payment", $"Paid {p.Price.Display()} for {p.Credits.Value} credits", $"{p.Provider} {p.ProviderPaymentId ?? p.ProviderPurchaseId}"));
            }

            if (p.RefundedAt is { } refundedAt)
            {
                items.Add(new TimelineItem(refundedAt, "refund", $"Refunded {Money.Of(p.AmountRefundedMinor, p.Price.Currency).Display()}", $"{p.Provider} {p.ProviderPurchaseId} · {p.CreditsClawedBack.Value} credits clawed back · {Wire(p.Status.ToString())}"));
            }
        }

        foreach (var s in subscriptions)
        {
            items.Add(new TimelineItem(s.CreatedAt, "subscription", $"Subscribed: {s.Tier} ({s.Source})", $"{s.ProviderSubscriptionId} · {s.CreditsPerPeriod.Value} credits a period"));
            items.AddRange(s.PaidPeriods.Select(period => new TimelineItem(period.GrantedAt, "payment", $"Paid period {period.PeriodStart:yyyy-MM-dd} to {period.PeriodEnd:yyyy-MM-dd}", $"{period.CreditsGranted} credits · {period.GrantKey}", GrantKey: period.GrantKey)));
            items.AddRange(s.PaidPeriods.Where(period => period.RefundedAt is not null).Select(period => new TimelineItem(period.RefundedAt!.Value, "refund", $"Period {period.PeriodStart:yyyy-MM-dd} refunded", period.GrantKey, GrantKey: period.GrantKey)));
            items.Add(new TimelineItem(s.LastEventAt, "subscription", $"Subscription now {Wire(s.Status.ToString())}", $"{s.ProviderSubscriptionId}{(s.CancelAtPeriodEnd ? " · cancels at period end" : "")}"));
        }

        foreach (var g in grants)
        {
            var kind = g.Status == CreditGrantStatus.OwedDebt ? "debt" : g.IsClawback ? "refund" : "grant";
            var verb = g.IsClawback ? "Clawback" : "Grant";
            items.Add(new TimelineItem(g.CreatedAt, kind, $"{verb} of {Math.Abs(g.Amount)} credits queued", $"{g.GrantKey.Value} · now {Wire(g.Status.ToString())} · {g.Attempts} attempt(s){(g.LastError is null ? "" : " · last error: " + g.LastError)}", GrantKey: g.GrantKey.Value));
            if (g.DeliveredAt is { } deliveredAt)
            {
                items.Add(new TimelineItem(deliveredAt, kind, $"{verb} of {Math.Abs(g.Amount)} credits delivered", $"{g.GrantKey.Value} · confirmed by {(g.DeliveredVia is { } via ? Wire(via.ToString()) : "?")}", GrantKey: g.GrantKey.Value));
            }
        }

        items.AddRange(audit.Select(a => new TimelineItem(a.At, "audit", $"{a.Action} by {a.Actor}", $"{a.ObjectId} · {a.Reason}", GrantKey: a.ObjectId)));

        var live = subscriptions.Where(s => s.Status is SubscriptionStatus.Active or SubscriptionStatus.PastDue).OrderByDescending(s => s.CreditsPerPeriod.Value).FirstOrDefault();
        return new UserTimeline(
            userId.Value,
            customer?.Email,
            customer?.StripeCustomerId,
            live?.Tier.ToString().ToLowerInvariant(),
            [.. subscriptions.Select(s => new SubscriptionView(s.Source.ToString().ToLowerInvariant(), s.Tier.ToString().ToLowerInvariant(), s.ProviderSubscriptionId, Wire(s.Status.ToString()), s.CreditsPerPeriod.Value, s.CurrentPeriodEnd, s.CancelAtPeriodEnd, s.PaidPeriods.Count))],
            [.. purchases.Select(p => new PurchaseView(p.Provider.ToString().ToLowerInvariant(), p.ProductId, p.ProviderPurchaseId, Wire(p.Status.ToString()), p.Credits.Value, p.Price.Display(), p.AmountRefundedMinor, p.CreatedAt, p.PaidAt))],
            [.. grants.Select(g => g.Adapt<OperatorGrantResponse>(ReadModels.Config))],
            [.. events.Select(e => e.ToSummary())],
            [.. items.OrderByDescending(i => i.At)]);
    }
}
