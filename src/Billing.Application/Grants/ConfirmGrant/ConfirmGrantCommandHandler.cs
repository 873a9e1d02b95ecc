using Billing.Application.Abstractions.Persistence;
using Billing.Application.Common;
using Billing.Application.Grants.ListGrants;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Grants.ConfirmGrant;

internal sealed class ConfirmGrantCommandHandler(IBillingDbContext db, TimeProvider clock, ILogger<ConfirmGrantCommandHandler> logger)
    : IRequestHandler<ConfirmGrantCommand, OperatorGrantResponse>
{
    public async Task<OperatorGrantResponse> Handle(ConfirmGrantCommand request, CancellationToken cancellationToken)
    {
        var key = Domain.Common.GrantKey.Parse(request.GrantKey);
        var grant = await db.CreditGrants.SingleOrDefaultAsync(g => g.GrantKey == key, cancellationToken)
            ?? throw new NotFoundException("grant.not_found", "No grant has this key.");
        grant.ConfirmByOperator(clock.GetUtcNow());
        logger.LogWarning("Operator confirmed in-doubt grant {GrantKey} as applied in Flash", grant.GrantKey.Value);
        return grant.ToOperatorResponse();
    }
}
