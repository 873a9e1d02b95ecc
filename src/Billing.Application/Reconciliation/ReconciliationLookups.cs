using Billing.Application.Abstractions.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Billing.Application.Reconciliation;

/// <summary>Batched reads of what billing holds for a page of provider objects (one round trip per page and kind).</summary>
internal static class ReconciliationLookups
{
    public static async Task<HashSet<string>> InboxEventIdsAsync(this IBillingDbContext db, string provider, string[] eventIds, CancellationToken ct) =>
        eventIds.Length == 0
            ? []
            : [.. await db.Database.SqlQuery<string>($"SELECT event_id AS \"Value\" FROM inbox_events WHERE provider = {provider} AND event_id = ANY({eventIds})").ToListAsync(ct)];

    public static async Task<Dictionary<string, PurchaseRow>> StripePurchasesAsync(this IBillingDbContext db, string[] sessionIds, CancellationToken ct) =>
        sessionIds.Length == 0
            ? []
            : (await db.Database.SqlQuery<PurchaseRow>($"SELECT provider_purchase_id AS \"Id\", user_id AS \"UserId\", status AS \"Status\", credits AS \"Credits\" FROM purchases WHERE provider = 'stripe' AND provider_purchase_id = ANY({sessionIds})").ToListAsync(ct))
                .ToDictionary(p => p.Id, StringComparer.Ordinal);

    public static async Task<HashSet<string>> GrantKeysAsync(this IBillingDbContext db, string[] keys, CancellationToken ct) =>
        keys.Length == 0
            ? []
            : [.. await db.Database.SqlQuery<string>($"SELECT grant_key AS \"Value\" FROM credit_grants WHERE grant_key = ANY({keys})").ToListAsync(ct)];

    public static async Task<Dictionary<string, PeriodRow>> PeriodsByGrantKeyAsync(this IBillingDbContext db, string[] keys, CancellationToken ct) =>
        keys.Length == 0
            ? []
            : (await db.Database.SqlQuery<PeriodRow>($"SELECT p.grant_key AS \"GrantKey\", p.credits_granted AS \"Credits\", coalesce(p.paid_by, s.user_id) AS \"UserId\" FROM subscription_periods p JOIN subscriptions s ON s.id = p.subscription_id WHERE p.grant_key = ANY({keys})").ToListAsync(ct))
                .GroupBy(p => p.GrantKey, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

    public static async Task<HashSet<string>> StripeSubscriptionIdsAsync(this IBillingDbContext db, string[] subscriptionIds, CancellationToken ct) =>
        subscriptionIds.Length == 0
            ? []
            : [.. await db.Database.SqlQuery<string>($"SELECT provider_subscription_id AS \"Value\" FROM subscriptions WHERE source = 'stripe' AND provider_subscription_id = ANY({subscriptionIds})").ToListAsync(ct)];

    /// <summary>
    /// Whether an event about <paramref name="objectId"/> waits in the inbox (received, not yet processed): then the object is
    /// on its way and not a finding. Only asked for objects that look wrong, so the payload scan stays rare.
    /// </summary>
    public static async Task<bool> HasPendingInboxEventAboutAsync(this IBillingDbContext db, string provider, string objectId, CancellationToken ct) =>
        await db.Database.SqlQuery<bool>($"SELECT EXISTS (SELECT 1 FROM inbox_events WHERE provider = {provider} AND status = 'received' AND strpos(payload, {objectId}) > 0) AS \"Value\"").SingleAsync(ct);

    internal sealed class PurchaseRow
    {
        public string Id { get; set; } = "";

        public string UserId { get; set; } = "";

        public string Status { get; set; } = "";

        public int Credits { get; set; }
    }

    internal sealed class PeriodRow
    {
        public string GrantKey { get; set; } = "";

        public int Credits { get; set; }

        public string? UserId { get; set; }
    }
}
