using Billing.Application.Abstractions.Attention;
using Billing.Application.Abstractions.Persistence;
using Billing.Application.Inbox;
using Billing.Domain.Grants;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Billing.Application.Attention.GetAttentionList;

/// <summary>
/// Four sources, one order: (at, source, id) descending. Each source is read with the same keyset condition (so a page
/// never repeats or skips a row, whatever arrives meanwhile), at most limit + 1 rows each, projected to a small row, then
/// merged; a (limit + 1)-th row means there is a next page.
/// </summary>
internal sealed class GetAttentionListQueryHandler(IBillingDbContext db, TimeProvider clock) : IRequestHandler<GetAttentionListQuery, AttentionListResponse>
{
    /// <summary>An event still <c>received</c> this long after it arrived is stuck, whatever the retry schedule says.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(10);

    private const string AdminBase = "/internal/billing/admin";

    public async Task<AttentionListResponse> Handle(GetAttentionListQuery request, CancellationToken cancellationToken)
    {
        AttentionCursor.TryDecode(request.Cursor, out var cursor);
        var take = request.Limit + 1;
        var filter = Filter.Of(request.Kind, request.UserId);
        var entries = new List<(AttentionCursor Key, AttentionEntryResponse Entry)>();
        if (filter.Grants)
        {
            entries.AddRange(await GrantsAsync(Keyset.For(AttentionSources.Grant, cursor), filter, take, cancellationToken));
        }

        if (filter.Inbox)
        {
            entries.AddRange(await InboxAsync(Keyset.For(AttentionSources.Inbox, cursor), filter, take, cancellationToken));
        }

        if (filter.Items)
        {
            entries.AddRange(await ItemsAsync(Keyset.For(AttentionSources.AttentionItem, cursor), filter, take, cancellationToken));
        }

        if (filter.Items)
        {
            entries.AddRange(await FindingsAsync(Keyset.For(AttentionSources.Finding, cursor), filter, take, cancellationToken));
        }

        var page = entries
            .OrderByDescending(e => e.Key.At)
            .ThenByDescending(e => e.Key.Source, StringComparer.Ordinal)
            .ThenByDescending(e => e.Key.SortId, StringComparer.Ordinal)
            .Take(take)
            .ToList();
        var more = page.Count > request.Limit;
        if (more)
        {
            page.RemoveAt(page.Count - 1);
        }

        return new AttentionListResponse([.. page.Select(e => e.Entry)], more ? page[^1].Key.Encode() : null);
    }

    private async Task<IEnumerable<(AttentionCursor, AttentionEntryResponse)>> GrantsAsync(Keyset keyset, Filter filter, int take, CancellationToken ct)
    {
        var query = db.CreditGrants
            .FromSqlInterpolated($"""
                SELECT g.*, g.xmin FROM credit_grants g
                WHERE g.status IN ('dead', 'in_doubt', 'owed_debt')
                  AND ({keyset.Mode} = 0 OR ({keyset.Mode} = 1 AND g.created_at <= {keyset.At})
                       OR ({keyset.Mode} = 2 AND (g.created_at, g.id) < ({keyset.At}, {keyset.UuidId}))
                       OR ({keyset.Mode} = 3 AND g.created_at < {keyset.At}))
                """)
            .AsNoTracking();
        if (filter.GrantStatus is { } status)
        {
            query = query.Where(g => g.Status == status);
        }

        if (filter.UserId is { } user)
        {
            var userId = Domain.Common.UserId.From(user);
            query = query.Where(g => g.UserId == userId);
        }

        var rows = await query
            .OrderByDescending(g => g.CreatedAt)
            .ThenByDescending(g => g.Id)
            .Take(take)
            .Select(g => new GrantRow(g.Id, g.GrantKey, g.UserId, g.Amount, g.DebtCollected, g.Status, g.LastError, g.CreatedAt))
            .ToListAsync(ct);

        return rows.Select(g =>
        {
            var key = Uri.EscapeDataString(g.GrantKey.Value);
            IReadOnlyList<AttentionRouteResponse> routes = g.Status switch
            {
                CreditGrantStatus.InDoubt =>
                [
                    new("POST", $"{AdminBase}/grants/{key}/confirm", "checked in Flash and found applied"),
                    new("POST", $"{AdminBase}/grants/{key}/requeue", "checked in Flash and not applied: send it again"),
                ],
                CreditGrantStatus.OwedDebt => [new("POST", $"{AdminBase}/grants/{key}/requeue", "try the debit again (it is also collected from the user's next grants)")],
                _ => [new("POST", $"{AdminBase}/grants/{key}/requeue", "send it again with a fresh attempt budget")],
            };
            var kind = "grant_" + Status.GetBillingStatus.GetBillingStatusQueryHandler.Wire(g.Status.ToString());
            var reason = g.Status == CreditGrantStatus.OwedDebt
                ? $"{-g.Amount - g.DebtCollected} credits still owed: {g.LastError}"
                : g.LastError ?? kind;
            return (new AttentionCursor(g.CreatedAt, AttentionSources.Grant, AttentionCursor.UuidSortId(g.Id.Value)),
                new AttentionEntryResponse(AttentionSources.Grant, g.GrantKey.Value, kind, reason, g.CreatedAt, g.UserId.Value, g.GrantKey.Value, g.Amount, routes));
        });
    }

    private async Task<IEnumerable<(AttentionCursor, AttentionEntryResponse)>> InboxAsync(Keyset keyset, Filter filter, int take, CancellationToken ct)
    {
        var staleBefore = clock.GetUtcNow() - StaleAfter;
        var query = db.InboxEvents
            .FromSqlInterpolated($"""
                SELECT i.*, i.xmin FROM inbox_events i
                WHERE (i.status = 'failed' OR (i.status = 'received' AND i.received_at < {staleBefore}))
                  AND ({keyset.Mode} = 0 OR ({keyset.Mode} = 1 AND i.received_at <= {keyset.At})
                       OR ({keyset.Mode} = 2 AND (i.received_at, i.id) < ({keyset.At}, {keyset.LongId}))
                       OR ({keyset.Mode} = 3 AND i.received_at < {keyset.At}))
                """)
            .AsNoTracking();
        if (filter.InboxFailed is { } failed)
        {
            query = failed ? query.Where(e => e.Status == InboxStatus.Failed) : query.Where(e => e.Status != InboxStatus.Failed);
        }

        var rows = await query
            .OrderByDescending(e => e.ReceivedAt)
            .ThenByDescending(e => e.Id)
            .Take(take)
            .Select(e => new InboxRow(e.Id, e.Provider, e.EventId, e.EventType, e.Status == InboxStatus.Failed, e.Attempts, e.LastError, e.ReceivedAt))
            .ToListAsync(ct);

        return rows.Select(e =>
        {
            var kind = e.Failed ? "inbox_failed" : "inbox_stale";
            var reason = e.Failed
                ? $"{e.EventType} failed after {e.Attempts} attempts: {e.LastError}"
                : $"{e.EventType} received {e.ReceivedAt:O} and still not processed ({e.Attempts} attempts{(e.LastError is null ? "" : ": " + e.LastError)})";
            return (new AttentionCursor(e.ReceivedAt, AttentionSources.Inbox, AttentionCursor.InboxSortId(e.Id)),
                new AttentionEntryResponse(
                    AttentionSources.Inbox,
                    e.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    kind,
                    reason,
                    e.ReceivedAt,
                    null,
                    $"{e.Provider}:{e.EventId}",
                    null,
                    [new("POST", $"{AdminBase}/inbox/{e.Id}/requeue", "process the event again")]));
        });
    }

    private async Task<IEnumerable<(AttentionCursor, AttentionEntryResponse)>> ItemsAsync(Keyset keyset, Filter filter, int take, CancellationToken ct)
    {
        var query = db.AttentionItems
            .FromSqlInterpolated($"""
                SELECT a.* FROM attention_items a
                WHERE a.resolved_at IS NULL
                  AND ({keyset.Mode} = 0 OR ({keyset.Mode} = 1 AND a.created_at <= {keyset.At})
                       OR ({keyset.Mode} = 2 AND (a.created_at, a.id) < ({keyset.At}, {keyset.UuidId}))
                       OR ({keyset.Mode} = 3 AND a.created_at < {keyset.At}))
                """)
            .AsNoTracking();
        if (filter.ItemKind is { } kind)
        {
            query = query.Where(a => a.Kind == kind);
        }

        if (filter.UserId is { } user)
        {
            query = query.Where(a => a.UserId == user);
        }

        var rows = await query
            .OrderByDescending(a => a.CreatedAt)
            .ThenByDescending(a => a.Id)
            .Take(take)
            .Select(a => new ItemRow(a.Id, a.Kind, a.ObjectKey, a.UserId, a.Reason, a.CreatedAt, a.Occurrences))
            .ToListAsync(ct);

        return rows.Select(a => (new AttentionCursor(a.CreatedAt, AttentionSources.AttentionItem, AttentionCursor.UuidSortId(a.Id)),
            new AttentionEntryResponse(
                AttentionSources.AttentionItem,
                a.Id.ToString("D"),
                a.Kind,
                a.Occurrences > 1 ? $"{a.Reason} (seen {a.Occurrences} times)" : a.Reason,
                a.CreatedAt,
                a.UserId,
                a.ObjectKey,
                null,
                [.. RoutesFor(a.Kind, a.UserId), new("POST", $"{AdminBase}/attention/{a.Id:D}/resolve", "once handled: resolve it with a reason (it leaves the list)")])));
    }

    /// <summary>Open reconciliation findings (what reconciliation could not repair by itself).</summary>
    private async Task<IEnumerable<(AttentionCursor, AttentionEntryResponse)>> FindingsAsync(Keyset keyset, Filter filter, int take, CancellationToken ct)
    {
        // Empty strings for "any": typed text parameters (an untyped null cannot be compared in SQL).
        var user = filter.UserId ?? "";
        var kind = filter.ItemKind ?? "";
        var rows = await db.Database.SqlQuery<FindingRow>($"""
                SELECT f.id AS "Id", f.kind AS "Kind", f.object_key AS "ObjectKey", f.user_id AS "UserId", f.expected AS "Expected", f.actual AS "Actual", f.created_at AS "CreatedAt"
                FROM reconciliation_findings f
                WHERE f.status = 'open'
                  AND ({user} = '' OR f.user_id = {user})
                  AND ({kind} = '' OR 'reconciliation.' || f.kind = {kind})
                  AND ({keyset.Mode} = 0 OR ({keyset.Mode} = 1 AND f.created_at <= {keyset.At})
                       OR ({keyset.Mode} = 2 AND (f.created_at, f.id) < ({keyset.At}, {keyset.UuidId}))
                       OR ({keyset.Mode} = 3 AND f.created_at < {keyset.At}))
                ORDER BY f.created_at DESC, f.id DESC
                LIMIT {take}
                """)
            .ToListAsync(ct);

        return rows.Select(f => (new AttentionCursor(f.CreatedAt, AttentionSources.Finding, AttentionCursor.UuidSortId(f.Id)),
            new AttentionEntryResponse(
                AttentionSources.Finding,
                f.Id.ToString("D"),
                "reconciliation." + f.Kind,
                $"expected {f.Expected}; found {f.Actual}",
                f.CreatedAt,
                f.UserId,
                f.ObjectKey,
                null,
                [new("POST", $"{AdminBase}/reconciliation/findings/{f.Id:D}/resolve", "dealt with it (checked at the provider and in Flash): close the finding")])));
    }

    private static IReadOnlyList<AttentionRouteResponse> RoutesFor(string kind, string? userId) => kind switch
    {
        AttentionKinds.UnattributableAppleTransaction =>
            [new("POST", "/internal/billing/apple/verify", "the buyer's app posts the transaction: it is granted to that user and the subscription bound to them")],
        AttentionKinds.UnmappedStripePrice =>
            [new("POST", $"{AdminBase}/inbox/{{id}}/requeue", "map the price (STRIPE_PRICE_MAP), then process the invoice event again")],
        AttentionKinds.SandboxNotGranted when userId is not null =>
            [new("GET", $"{AdminBase}/grants?user_id={Uri.EscapeDataString(userId)}", "review the user's grants; App Review accounts belong on APPLE_SANDBOX_USERS")],
        _ => [],
    };

    /// <summary>Which sources a kind and user filter leave, and the condition each source gets.</summary>
    private sealed record Filter(bool Grants, bool Inbox, bool Items, CreditGrantStatus? GrantStatus, bool? InboxFailed, string? ItemKind, string? UserId)
    {
        public static Filter Of(string? kind, string? userId)
        {
            var user = string.IsNullOrWhiteSpace(userId) ? null : userId.Trim();
            var grantsAndItems = new Filter(true, user is null, true, null, null, null, user);
            return (string.IsNullOrWhiteSpace(kind) ? null : kind.Trim()) switch
            {
                null => grantsAndItems,
                "grant_dead" => grantsAndItems with { Inbox = false, Items = false, GrantStatus = CreditGrantStatus.Dead },
                "grant_in_doubt" => grantsAndItems with { Inbox = false, Items = false, GrantStatus = CreditGrantStatus.InDoubt },
                "grant_owed_debt" => grantsAndItems with { Inbox = false, Items = false, GrantStatus = CreditGrantStatus.OwedDebt },
                "inbox_failed" => grantsAndItems with { Grants = false, Items = false, InboxFailed = true },
                "inbox_stale" => grantsAndItems with { Grants = false, Items = false, InboxFailed = false },
                var other => grantsAndItems with { Grants = false, Inbox = false, ItemKind = other },
            };
        }
    }

    /// <summary>The keyset condition of one source against the cursor (see <see cref="AttentionCursor"/>'s order).</summary>
    private readonly record struct Keyset(int Mode, DateTimeOffset At, Guid UuidId, long LongId)
    {
        // 0 no cursor; 1 at <= cursor (source sorts before the cursor's); 2 (at, id) < cursor (same source); 3 at < cursor.
        public static Keyset For(string source, AttentionCursor? cursor)
        {
            if (cursor is not { } c)
            {
                return new Keyset(0, DateTimeOffset.UnixEpoch, Guid.Empty, 0);
            }

            var order = string.CompareOrdinal(source, c.Source);
            if (order != 0)
            {
                return new Keyset(order < 0 ? 1 : 3, c.At, Guid.Empty, 0);
            }

            return source == AttentionSources.Inbox
                ? new Keyset(2, c.At, Guid.Empty, long.Parse(c.SortId, System.Globalization.CultureInfo.InvariantCulture))
                : new Keyset(2, c.At, Guid.ParseExact(c.SortId, "D"), 0);
        }
    }

    private sealed record GrantRow(CreditGrantId Id, Domain.Common.GrantKey GrantKey, Domain.Common.UserId UserId, int Amount, int DebtCollected, CreditGrantStatus Status, string? LastError, DateTimeOffset CreatedAt);

    private sealed record InboxRow(long Id, string Provider, string EventId, string EventType, bool Failed, int Attempts, string? LastError, DateTimeOffset ReceivedAt);

    private sealed class FindingRow
    {
        public Guid Id { get; set; }

        public string Kind { get; set; } = "";

        public string ObjectKey { get; set; } = "";

        public string? UserId { get; set; }

        public string Expected { get; set; } = "";

        public string Actual { get; set; } = "";

        public DateTimeOffset CreatedAt { get; set; }
    }

    private sealed record ItemRow(Guid Id, string Kind, string ObjectKey, string? UserId, string Reason, DateTimeOffset CreatedAt, int Occurrences);
}
