using Billing.Application.Abstractions.Persistence;
using Billing.Domain.Common;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Billing.Application.OperatorConsole.Search;

internal sealed class SearchBillingQueryHandler(IBillingDbContext db) : IRequestHandler<SearchBillingQuery, SearchResults>
{
    private const int MaxHitsPerKind = 20;

    public async Task<SearchResults> Handle(SearchBillingQuery request, CancellationToken cancellationToken)
    {
        var term = request.Term.Trim();
        var lowered = term.ToLowerInvariant();
        var hits = new List<SearchHit>();

        UserId? asUser = null;
        try
        {
            asUser = UserId.From(term);
        }
        catch (InvalidDomainValueException)
        {
            // Not a possible user id; the other kinds still apply.
        }

        var customers = await db.Customers.AsNoTracking()
            .Where(c => (asUser != null && c.UserId == asUser) || c.Email == lowered || c.Email == term || c.StripeCustomerId == term)
            .OrderBy(c => c.CreatedAt).Take(MaxHitsPerKind).ToListAsync(cancellationToken);
        hits.AddRange(customers.Select(c => new SearchHit("customer", term, c.UserId.Value, null, $"{c.Email ?? "no email"} · Stripe customer {c.StripeCustomerId ?? "none"}")));

        var subscriptions = await db.Subscriptions.AsNoTracking()
            .Where(s => s.ProviderSubscriptionId == term || (asUser != null && s.UserId == asUser))
            .OrderByDescending(s => s.CreatedAt).Take(MaxHitsPerKind).ToListAsync(cancellationToken);
        hits.AddRange(subscriptions.Select(s => new SearchHit("subscription", s.ProviderSubscriptionId, s.UserId.Value, null, $"{s.Source} {s.Tier} · {s.Status}")));

        var purchases = await db.Purchases.AsNoTracking()
            .Where(p => p.ProviderPurchaseId == term || p.ProviderPaymentId == term || (asUser != null && p.UserId == asUser))
            .OrderByDescending(p => p.CreatedAt).Take(MaxHitsPerKind).ToListAsync(cancellationToken);
        hits.AddRange(purchases.Select(p => new SearchHit("purchase", p.ProviderPurchaseId, p.UserId.Value, null, $"{p.Provider} {p.ProductId} · {p.Status}")));

        // Grant keys embed the provider object (stripe:invoice:in_…, apple:transaction:…): a bare id finds its grant.
        var suffix = ":" + term;
        var grants = await db.CreditGrants
            .FromSqlInterpolated($"SELECT g.*, g.xmin FROM credit_grants g WHERE g.grant_key = {term} OR right(g.grant_key, length({suffix})) = {suffix} OR g.user_id = {term}")
            .AsNoTracking().OrderByDescending(g => g.CreatedAt).Take(MaxHitsPerKind).ToListAsync(cancellationToken);
        hits.AddRange(grants.Select(g => new SearchHit("grant", g.GrantKey.Value, g.UserId.Value, null, $"{g.Amount} credits · {Status.GetBillingStatus.GetBillingStatusQueryHandler.Wire(g.Status.ToString())}")));

        var events = await db.InboxEvents.AsNoTracking().Where(e => e.EventId == term).OrderByDescending(e => e.Id).Take(MaxHitsPerKind).ToListAsync(cancellationToken);
        hits.AddRange(events.Select(e => new SearchHit("event", e.EventId, null, e.Id, $"{e.Provider} {e.EventType} · {e.Status.ToString().ToLowerInvariant()}")));

        // Identifiers that live only in provider payloads (a checkout session never fulfilled, an invoice not yet paid).
        if (term.Length >= 6 && hits.Count == 0)
        {
            var quoted = $"%\"{EscapeLike(term)}\"%";
            var mentioning = await db.InboxEvents.AsNoTracking().Where(e => EF.Functions.Like(e.Payload, quoted))
                .OrderByDescending(e => e.Id).Take(MaxHitsPerKind).ToListAsync(cancellationToken);
            hits.AddRange(mentioning.Select(e => new SearchHit("event", term, null, e.Id, $"{e.Provider} {e.EventType} mentions it")));
        }

        return new SearchResults(term, hits.DistinctBy(h => (h.Kind, h.Matched, h.UserId, h.InboxEventId)).ToList());
    }

    private static string EscapeLike(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
