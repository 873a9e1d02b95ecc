using Billing.Application.Abstractions.Persistence;
using Billing.Domain.Common;
using Billing.Domain.Grants;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Grants.RequeueGrants;

internal sealed class RequeueGrantsCommandHandler(IBillingDbContext db, TimeProvider clock, ILogger<RequeueGrantsCommandHandler> logger)
    : IRequestHandler<RequeueGrantsCommand, RequeueGrantsResponse>
{
    public async Task<RequeueGrantsResponse> Handle(RequeueGrantsCommand request, CancellationToken cancellationToken)
    {
        var status = request.Status switch
        {
            "dead" => CreditGrantStatus.Dead,
            "in_doubt" => CreditGrantStatus.InDoubt,
            _ => CreditGrantStatus.OwedDebt,
        };

        var query = db.CreditGrants.Where(g => g.Status == status);
        if (!string.IsNullOrWhiteSpace(request.UserId))
        {
            var userId = UserId.From(request.UserId);
            query = query.Where(g => g.UserId == userId);
        }

        var grants = await query.OrderBy(g => g.CreatedAt).Take(request.Limit).ToListAsync(cancellationToken);
        var now = clock.GetUtcNow();
        foreach (var grant in grants)
        {
            grant.Requeue(now);
        }

        var remaining = await query.CountAsync(cancellationToken) - grants.Count;
        logger.LogWarning(
            "Operator requeued {Count} {Status} grants{ForUser} ({Remaining} left)",
            grants.Count,
            request.Status,
            string.IsNullOrWhiteSpace(request.UserId) ? "" : " of user " + request.UserId,
            remaining);
        return new RequeueGrantsResponse(grants.Count, [.. grants.Select(g => g.GrantKey.Value)], Math.Max(0, remaining));
    }
}
