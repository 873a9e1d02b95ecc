using Billing.Application.Abstractions.Persistence;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Billing.Application.Audit.ListAuditLog;

internal sealed class ListAuditLogQueryHandler(IBillingDbContext db) : IRequestHandler<ListAuditLogQuery, AuditLogPage>
{
    public async Task<AuditLogPage> Handle(ListAuditLogQuery request, CancellationToken cancellationToken)
    {
        var query = db.AuditLog.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(request.Actor))
        {
            query = query.Where(a => a.Actor == request.Actor.Trim());
        }

        if (!string.IsNullOrWhiteSpace(request.Action))
        {
            query = query.Where(a => a.Action == request.Action.Trim());
        }

        if (!string.IsNullOrWhiteSpace(request.ObjectId))
        {
            query = query.Where(a => a.ObjectId == request.ObjectId.Trim());
        }

        if (request.BeforeId is { } beforeId)
        {
            query = query.Where(a => a.Id < beforeId);
        }

        var rows = await query.OrderByDescending(a => a.Id).Take(request.Limit + 1)
            .Select(a => new AuditLogLine(a.Id, a.At, a.Actor, a.Action, a.ObjectType, a.ObjectId, a.Reason, a.Before, a.After))
            .ToListAsync(cancellationToken);
        var more = rows.Count > request.Limit;
        var page = more ? rows[..request.Limit] : rows;
        return new AuditLogPage(page, more ? page[^1].Id : null);
    }
}
