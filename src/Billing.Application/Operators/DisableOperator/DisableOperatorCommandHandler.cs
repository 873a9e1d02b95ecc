using Billing.Application.Abstractions.Persistence;
using Billing.Application.Audit;
using MediatR;

namespace Billing.Application.Operators.DisableOperator;

internal sealed class DisableOperatorCommandHandler(IBillingDbContext db, TimeProvider clock) : IRequestHandler<DisableOperatorCommand, OperatorResponse>
{
    public async Task<OperatorResponse> Handle(DisableOperatorCommand request, CancellationToken cancellationToken)
    {
        var account = await db.GetOperatorAsync(request.Email, cancellationToken);
        var now = clock.GetUtcNow();
        var before = account.ToResponse(now);
        account.Disable();
        var after = account.ToResponse(now);
        db.Audit(request.By, "operator.disable", "operator", account.Email, before, after, now);
        return after;
    }
}
