using Billing.Application.Abstractions.Persistence;
using Billing.Domain.Catalog;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Billing.Application.OperatorConsole.Overview;

internal sealed class GetConsoleOverviewQueryHandler(IBillingDbContext db, TimeProvider clock) : IRequestHandler<GetConsoleOverviewQuery, ConsoleOverview>
{
    private static readonly string[] KnownProviders = ["stripe", "apple"];

    public async Task<ConsoleOverview> Handle(GetConsoleOverviewQuery request, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var month = new DateTimeOffset(today.Year, today.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var weekStart = new DateTimeOffset(now.UtcDateTime.Date.AddHours(now.UtcDateTime.Hour), TimeSpan.Zero).AddHours(-167);

        var purchases = await db.Database.SqlQuery<PaymentRow>($"""
            SELECT provider AS "Provider", '' AS "Tier", (paid_at >= {today}) AS "Today", count(*)::int AS "Count", coalesce(sum(price_minor), 0)::bigint AS "AmountMinor"
            FROM purchases WHERE paid_at >= {month} GROUP BY 1, 2, 3
            """).ToListAsync(cancellationToken);
        var periods = await db.Database.SqlQuery<PaymentRow>($"""
            SELECT s.source AS "Provider", s.tier AS "Tier", (sp.granted_at >= {today}) AS "Today", count(*)::int AS "Count", 0::bigint AS "AmountMinor"
            FROM subscription_periods sp JOIN subscriptions s ON s.id = sp.subscription_id
            WHERE sp.granted_at >= {month} GROUP BY 1, 2, 3
            """).ToListAsync(cancellationToken);
        var credits = await db.Database.SqlQuery<CreditRow>($"""
            SELECT split_part(grant_key, ':', 1) AS "Provider", (delivered_at >= {today}) AS "Today", coalesce(sum(amount), 0)::bigint AS "Credits"
            FROM credit_grants WHERE status = 'delivered' AND amount > 0 AND delivered_at >= {month} GROUP BY 1, 2
            """).ToListAsync(cancellationToken);

        var providers = KnownProviders.Union(purchases.Select(p => p.Provider)).Union(periods.Select(p => p.Provider)).Union(credits.Select(c => c.Provider))
            .Select(provider =>
            {
                // A paid period's amount is its tier's catalog price (the invoice itself is Stripe's or Apple's record).
                var payments = purchases.Where(p => p.Provider == provider)
                    .Concat(periods.Where(p => p.Provider == provider).Select(p => p with { AmountMinor = p.Count * TierPrice(p.Tier) }))
                    .ToList();
                var delivered = credits.Where(c => c.Provider == provider).ToList();
                return new ProviderTotals(
                    provider,
                    payments.Where(p => p.Today).Sum(p => p.Count),
                    payments.Where(p => p.Today).Sum(p => p.AmountMinor),
                    payments.Sum(p => p.Count),
                    payments.Sum(p => p.AmountMinor),
                    delivered.Where(c => c.Today).Sum(c => c.Credits),
                    delivered.Sum(c => c.Credits));
            })
            .ToList();

        var grantsByStatus = await db.CreditGrants.AsNoTracking().GroupBy(g => g.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var backlog = await db.Database.SqlQuery<BacklogRow>($"""
            SELECT count(*) FILTER (WHERE status = 'received')::int AS "Received", count(*) FILTER (WHERE status = 'failed')::int AS "Failed",
                   min(received_at) FILTER (WHERE status = 'received') AS "OldestReceivedAt"
            FROM inbox_events WHERE status IN ('received', 'failed')
            """).SingleAsync(cancellationToken);

        var paymentsPerHour = await db.Database.SqlQuery<SeriesRow>($"""
            SELECT date_trunc('hour', at, 'UTC') AS "At", count(*)::int AS "Value" FROM (
                SELECT paid_at AS at FROM purchases WHERE paid_at >= {weekStart}
                UNION ALL SELECT granted_at FROM subscription_periods WHERE granted_at >= {weekStart}) x
            GROUP BY 1
            """).ToListAsync(cancellationToken);
        var webhooksPerHour = await db.Database.SqlQuery<SeriesRow>($"""
            SELECT date_trunc('hour', received_at, 'UTC') AS "At", count(*)::int AS "Value" FROM inbox_events WHERE received_at >= {weekStart} GROUP BY 1
            """).ToListAsync(cancellationToken);
        var latency = await db.Database.SqlQuery<LatencyRow>($"""
            SELECT date_trunc('day', delivered_at, 'UTC') AS "Day", count(*)::int AS "Count",
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM delivered_at - created_at))::float8 AS "P50",
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM delivered_at - created_at))::float8 AS "P95"
            FROM credit_grants WHERE status = 'delivered' AND delivered_at >= {today.AddDays(-6)} GROUP BY 1 ORDER BY 1
            """).ToListAsync(cancellationToken);

        var openItems = await db.AttentionItems.AsNoTracking().Where(a => a.ResolvedAt == null)
            .GroupBy(a => a.Kind).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var relay = await db.Database.SqlQuery<RelayRow>($"""
            SELECT hour AS "At", sum(requests)::bigint AS "Requests", sum(rate_limited)::bigint AS "RateLimited" FROM usage_hourly WHERE hour >= {weekStart} GROUP BY 1
            """).ToListAsync(cancellationToken);
        var relayByHour = relay.ToDictionary(r => r.At.ToUniversalTime());

        return new ConsoleOverview(
            now,
            providers,
            grantsByStatus.ToDictionary(g => Status.GetBillingStatus.GetBillingStatusQueryHandler.Wire(g.Key.ToString()), g => g.Count),
            new InboxBacklog(backlog.Received, backlog.Failed, backlog.OldestReceivedAt),
            Hourly(weekStart, paymentsPerHour),
            Hourly(weekStart, webhooksPerHour),
            [.. Enumerable.Range(0, 7).Select(d => today.AddDays(d - 6)).Select(day =>
                latency.FirstOrDefault(l => l.Day == day) is { } l ? new LatencyPoint(day, l.Count, l.P50, l.P95) : new LatencyPoint(day, 0, 0, 0))],
            openItems.ToDictionary(i => i.Key, i => i.Count),
            [.. Enumerable.Range(0, 168).Select(h => weekStart.AddHours(h)).Select(at =>
                relayByHour.TryGetValue(at, out var r) ? new RelayPoint(at, r.Requests, r.RateLimited) : new RelayPoint(at, 0, 0))]);
    }

    /// <summary>168 hourly buckets ending with the current hour; hours without rows are zero.</summary>
    private static List<SeriesPoint> Hourly(DateTimeOffset start, List<SeriesRow> rows)
    {
        var byHour = rows.ToDictionary(r => r.At.ToUniversalTime(), r => r.Value);
        return [.. Enumerable.Range(0, 168).Select(h => start.AddHours(h)).Select(at => new SeriesPoint(at, byHour.GetValueOrDefault(at)))];
    }

    private static long TierPrice(string tier) =>
        ProductCatalog.Tiers.FirstOrDefault(t => string.Equals(t.Tier.ToString(), tier, StringComparison.OrdinalIgnoreCase))?.Price.MinorUnits ?? 0;

    private sealed record PaymentRow(string Provider, string Tier, bool Today, int Count, long AmountMinor);

    private sealed record CreditRow(string Provider, bool Today, long Credits);

    private sealed record BacklogRow(int Received, int Failed, DateTimeOffset? OldestReceivedAt);

    private sealed record SeriesRow(DateTimeOffset At, int Value);

    private sealed record RelayRow(DateTimeOffset At, long Requests, long RateLimited);

    private sealed record LatencyRow(DateTimeOffset Day, int Count, double P50, double P95);
}
