using Billing.Application.Abstractions.Persistence;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Billing.Application.Inbox.BrowseInboxEvents;

internal sealed class BrowseInboxEventsQueryHandler(IBillingDbContext db) : IRequestHandler<BrowseInboxEventsQuery, InboxEventPage>
{
    public async Task<InboxEventPage> Handle(BrowseInboxEventsQuery request, CancellationToken cancellationToken)
    {
        var query = db.InboxEvents.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(request.Provider))
        {
            query = query.Where(e => e.Provider == request.Provider.Trim());
        }

        if (!string.IsNullOrWhiteSpace(request.EventType))
        {
            query = query.Where(e => e.EventType == request.EventType.Trim());
        }

        if (!string.IsNullOrWhiteSpace(request.Status))
        {
            var status = Enum.Parse<InboxStatus>(request.Status, ignoreCase: true);
            query = query.Where(e => e.Status == status);
        }

        if (request.From is { } from)
        {
            query = query.Where(e => e.ReceivedAt >= from);
        }

        if (request.To is { } to)
        {
            query = query.Where(e => e.ReceivedAt < to);
        }

        if (request.BeforeId is { } beforeId)
        {
            query = query.Where(e => e.Id < beforeId);
        }

        var rows = await query.OrderByDescending(e => e.Id).Take(request.Limit + 1).ToListAsync(cancellationToken);
        var more = rows.Count > request.Limit;
        var page = (more ? rows[..request.Limit] : rows).Select(e => e.ToSummary()).ToList();
        var counts = await db.InboxEvents.AsNoTracking().GroupBy(e => e.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        return new InboxEventPage(page, more ? page[^1].Id : null, counts.ToDictionary(c => c.Key.ToString().ToLowerInvariant(), c => c.Count));
    }
}
