using Billing.Application.Abstractions.Persistence;
using Billing.Application.Audit;
using Billing.Application.Grants.ConfirmGrant;
using Billing.Application.Grants.ListGrants;
using Billing.Application.Grants.RequeueGrant;
using Billing.Domain.Common;
using Mapster;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Billing.Application.Grants.AuditedGrantActions;

// The inner command runs inside this command's unit of work (the behaviour does not nest transactions), so the change and
// its audit line commit together.
internal sealed class AuditedRequeueGrantCommandHandler(IBillingDbContext db, IMediator mediator, TimeProvider clock)
    : IRequestHandler<AuditedRequeueGrantCommand, OperatorGrantResponse>
{
    public async Task<OperatorGrantResponse> Handle(AuditedRequeueGrantCommand request, CancellationToken cancellationToken)
    {
        var before = await db.SnapshotGrantAsync(request.GrantKey, cancellationToken);
        var after = await mediator.Send(new RequeueGrantCommand(request.GrantKey), cancellationToken);
        db.Audit(request.By, "grant.requeue", "grant", after.GrantKey, before, after, clock.GetUtcNow());
        return after;
    }
}

internal sealed class AuditedConfirmGrantCommandHandler(IBillingDbContext db, IMediator mediator, TimeProvider clock)
    : IRequestHandler<AuditedConfirmGrantCommand, OperatorGrantResponse>
{
    public async Task<OperatorGrantResponse> Handle(AuditedConfirmGrantCommand request, CancellationToken cancellationToken)
    {
        var before = await db.SnapshotGrantAsync(request.GrantKey, cancellationToken);
        var after = await mediator.Send(new ConfirmGrantCommand(request.GrantKey), cancellationToken);
        db.Audit(request.By, "grant.confirm", "grant", after.GrantKey, before, after, clock.GetUtcNow());
        return after;
    }
}

internal sealed class AuditedRequeueGrantsCommandHandler(IBillingDbContext db, IMediator mediator, TimeProvider clock)
    : IRequestHandler<AuditedRequeueGrantsCommand, RequeueGrants.RequeueGrantsResponse>
{
    public async Task<RequeueGrants.RequeueGrantsResponse> Handle(AuditedRequeueGrantsCommand request, CancellationToken cancellationToken)
    {
        var result = await mediator.Send(new RequeueGrants.RequeueGrantsCommand(request.Status, request.UserId, request.Limit), cancellationToken);
        var now = clock.GetUtcNow();
        // The requeued grants are tracked and not yet saved: the database still holds "before", the tracker "after".
        var keys = result.GrantKeys.Select(GrantKey.Parse).ToList();
        var before = await db.CreditGrants.AsNoTracking().Where(g => keys.Contains(g.GrantKey)).ToDictionaryAsync(g => g.GrantKey.Value, cancellationToken);
        foreach (var grant in db.ChangeTracker.Entries<Domain.Grants.CreditGrant>().Select(e => e.Entity).Where(g => keys.Contains(g.GrantKey)))
        {
            db.Audit(
                request.By,
                "grant.requeue",
                "grant",
                grant.GrantKey.Value,
                before.GetValueOrDefault(grant.GrantKey.Value)?.Adapt<OperatorGrantResponse>(ReadModels.Config),
                grant.Adapt<OperatorGrantResponse>(ReadModels.Config),
                now);
        }

        return result;
    }
}

internal static class GrantSnapshots
{
    /// <summary>The grant as it is before the change (null when unknown: the inner command answers that with a 404).</summary>
    public static async Task<OperatorGrantResponse?> SnapshotGrantAsync(this IBillingDbContext db, string grantKey, CancellationToken cancellationToken)
    {
        var key = GrantKey.Parse(grantKey);
        var grant = await db.CreditGrants.AsNoTracking().SingleOrDefaultAsync(g => g.GrantKey == key, cancellationToken);
        return grant?.Adapt<OperatorGrantResponse>(ReadModels.Config);
    }
}
