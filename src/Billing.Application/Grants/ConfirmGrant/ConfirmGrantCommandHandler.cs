using Billing.Application.Abstractions.Persistence;
using Billing.Application.Grants.ListGrants;
using Mapster;
using MediatR;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Grants.ConfirmGrant;

internal sealed class ConfirmGrantCommandHandler(IBillingDbContext db, TimeProvider clock, ILogger<ConfirmGrantCommandHandler> logger)
    : IRequestHandler<ConfirmGrantCommand, OperatorGrantResponse>
{
    public async Task<OperatorGrantResponse> Handle(ConfirmGrantCommand request, CancellationToken cancellationToken)
    {
        var grant = await db.GetGrantAsync(request.GrantKey, cancellationToken);
        grant.ConfirmByOperator(clock.GetUtcNow());
        logger.LogWarning("Operator confirmed in-doubt grant {GrantKey} as applied in Flash", grant.GrantKey.Value);
        return grant.Adapt<OperatorGrantResponse>(ReadModels.Config);
    }
}
