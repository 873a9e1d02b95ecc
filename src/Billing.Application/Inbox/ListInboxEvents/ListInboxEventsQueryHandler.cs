using Billing.Application.Abstractions.Persistence;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Billing.Application.Inbox.ListInboxEvents;

internal sealed class ListInboxEventsQueryHandler(IBillingDbContext db, TimeProvider clock) : IRequestHandler<ListInboxEventsQuery, ListInboxEventsResponse>
{
    public async Task<ListInboxEventsResponse> Handle(ListInboxEventsQuery request, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var staleBefore = now - InboxEvent.StaleAfter;
        var failed = request.Status is null or "attention" or "failed";
        var stale = request.Status is null or "attention" or "stale";

        // The payload is left out: it can be large, and the operator needs what happened to it, not the body.
        var events = await db.InboxEvents.AsNoTracking()
            .Where(e => (failed && e.Status == InboxStatus.Failed) || (stale && e.Status == InboxStatus.Received && e.ReceivedAt < staleBefore))
            .OrderBy(e => e.ReceivedAt)
            .ThenBy(e => e.Id)
            .Take(request.Limit)
            .Select(e => new { e.Id, e.Provider, e.EventId, e.EventType, e.Status, e.Attempts, e.LastError, e.ReceivedAt, e.RetriesResetAt, e.NextAttemptAt })
            .ToListAsync(cancellationToken);

        return new ListInboxEventsResponse(
            await db.CountInboxAttentionAsync(now, cancellationToken),
            [.. events.Select(e => new OperatorInboxEventResponse(
                e.Id,
                e.Provider,
                e.EventId,
                e.EventType,
                e.Status.ToString().ToLowerInvariant(),
                Stale: e.Status == InboxStatus.Received,
                PaidMoneyEvents.Contains(e.Provider, e.EventType),
                e.Attempts,
                e.LastError,
                e.ReceivedAt,
                e.RetriesResetAt,
                e.NextAttemptAt,
                OperatorInboxMapping.RequeueRoute(e.Id)))]);
    }
}

internal static class InboxAttention
{
    public static async Task<InboxAttentionCounts> CountInboxAttentionAsync(this IBillingDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var staleBefore = now - InboxEvent.StaleAfter;
        var counts = await db.InboxEvents.AsNoTracking()
            .Where(e => e.Status == InboxStatus.Failed || (e.Status == InboxStatus.Received && e.ReceivedAt < staleBefore))
            .GroupBy(e => e.Status)
            .Select(g => new { g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);
        return new InboxAttentionCounts(
            counts.Where(c => c.Key == InboxStatus.Failed).Sum(c => c.Count),
            counts.Where(c => c.Key == InboxStatus.Received).Sum(c => c.Count));
    }
}
