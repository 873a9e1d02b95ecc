using Billing.Application.Abstractions.Persistence;
using Billing.Application.Common;
using Billing.Application.Grants.ListGrants;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Grants.RequeueGrant;

internal sealed class RequeueGrantCommandHandler(IBillingDbContext db, TimeProvider clock, ILogger<RequeueGrantCommandHandler> logger)
    : IRequestHandler<RequeueGrantCommand, OperatorGrantResponse>
{
    public async Task<OperatorGrantResponse> Handle(RequeueGrantCommand request, CancellationToken cancellationToken)
    {
        var key = Domain.Common.GrantKey.Parse(request.GrantKey);
        var grant = await db.CreditGrants.SingleOrDefaultAsync(g => g.GrantKey == key, cancellationToken)
            ?? throw new NotFoundException("grant.not_found", "No grant has this key.");
        var previous = grant.Status;
        grant.Requeue(clock.GetUtcNow());
        logger.LogWarning("Operator requeued grant {GrantKey} ({Amount} credits) from {PreviousStatus}", grant.GrantKey.Value, grant.Amount, previous);
        return grant.ToOperatorResponse();
    }
}
