using Billing.Application.Abstractions.Persistence;
using Billing.Application.Grants.ListGrants;
using Mapster;
using MediatR;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Grants.RequeueGrant;

internal sealed class RequeueGrantCommandHandler(IBillingDbContext db, TimeProvider clock, ILogger<RequeueGrantCommandHandler> logger)
    : IRequestHandler<RequeueGrantCommand, OperatorGrantResponse>
{
    public async Task<OperatorGrantResponse> Handle(RequeueGrantCommand request, CancellationToken cancellationToken)
    {
        var grant = await db.GetGrantAsync(request.GrantKey, cancellationToken);
        var previous = grant.Status;
        grant.Requeue(clock.GetUtcNow());
        logger.LogWarning("Operator requeued grant {GrantKey} ({Amount} credits) from {PreviousStatus}", grant.GrantKey.Value, grant.Amount, previous);
        return grant.Adapt<OperatorGrantResponse>(ReadModels.Config);
    }
}
