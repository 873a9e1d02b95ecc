using Billing.Application.Abstractions.Messaging;
using Billing.Application.Abstractions.Persistence;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Billing.Application.Operators.ListOperators;

public sealed record ListOperatorsQuery : IQuery<IReadOnlyList<OperatorResponse>>;

internal sealed class ListOperatorsQueryHandler(IBillingDbContext db, TimeProvider clock) : IRequestHandler<ListOperatorsQuery, IReadOnlyList<OperatorResponse>>
{
    public async Task<IReadOnlyList<OperatorResponse>> Handle(ListOperatorsQuery request, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var accounts = await db.Operators.AsNoTracking().OrderBy(o => o.Email).ToListAsync(cancellationToken);
        return [.. accounts.Select(o => o.ToResponse(now))];
    }
}
