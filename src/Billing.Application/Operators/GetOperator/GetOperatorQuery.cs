using Billing.Application.Abstractions.Messaging;
using Billing.Application.Abstractions.Persistence;
using Billing.Domain.Operators;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Billing.Application.Operators.GetOperator;

/// <summary>The operator behind a console session, or null when it no longer exists; checked on every request.</summary>
public sealed record GetOperatorQuery(Guid OperatorId) : IQuery<OperatorResponse?>;

internal sealed class GetOperatorQueryHandler(IBillingDbContext db, TimeProvider clock) : IRequestHandler<GetOperatorQuery, OperatorResponse?>
{
    public async Task<OperatorResponse?> Handle(GetOperatorQuery request, CancellationToken cancellationToken)
    {
        var id = new OperatorId(request.OperatorId);
        var account = await db.Operators.AsNoTracking().SingleOrDefaultAsync(o => o.Id == id, cancellationToken);
        return account?.ToResponse(clock.GetUtcNow());
    }
}
