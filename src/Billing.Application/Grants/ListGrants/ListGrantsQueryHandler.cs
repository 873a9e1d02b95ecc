using Billing.Application.Abstractions.Persistence;
using Billing.Domain.Common;
using Billing.Domain.Grants;
using Mapster;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Billing.Application.Grants.ListGrants;

internal sealed class ListGrantsQueryHandler(IBillingDbContext db) : IRequestHandler<ListGrantsQuery, ListGrantsResponse>
{
    private static readonly CreditGrantStatus[] Attention = [CreditGrantStatus.Dead, CreditGrantStatus.InDoubt, CreditGrantStatus.OwedDebt];

    public async Task<ListGrantsResponse> Handle(ListGrantsQuery request, CancellationToken cancellationToken)
    {
        var statuses = request.Status switch
        {
            null or "attention" => Attention,
            "pending" => [CreditGrantStatus.Pending],
            "delivered" => [CreditGrantStatus.Delivered],
            "in_doubt" => [CreditGrantStatus.InDoubt],
            "dead" => [CreditGrantStatus.Dead],
            "owed_debt" => [CreditGrantStatus.OwedDebt],
            _ => Attention,
        };

        var query = db.CreditGrants.AsNoTracking().Where(g => statuses.Contains(g.Status));
        if (!string.IsNullOrWhiteSpace(request.UserId))
        {
            var userId = UserId.From(request.UserId);
            query = query.Where(g => g.UserId == userId);
        }

        var grants = await query.OrderBy(g => g.CreatedAt).Take(request.Limit).ProjectToType<OperatorGrantResponse>(ReadModels.Config).ToListAsync(cancellationToken);
        var counts = await db.CreditGrants.AsNoTracking()
            .GroupBy(g => g.Status)
            .Select(g => new { g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);

        return new ListGrantsResponse(
            counts.ToDictionary(c => Status.GetBillingStatus.GetBillingStatusQueryHandler.Wire(c.Key.ToString()), c => c.Count),
            grants);
    }
}
