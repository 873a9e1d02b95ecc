using Billing.Application.Abstractions.Persistence;
using Billing.Application.Audit;
using MediatR;

namespace Billing.Application.Operators.EnableOperator;

internal sealed class EnableOperatorCommandHandler(IBillingDbContext db, TimeProvider clock) : IRequestHandler<EnableOperatorCommand, OperatorResponse>
{
    public async Task<OperatorResponse> Handle(EnableOperatorCommand request, CancellationToken cancellationToken)
    {
        var account = await db.GetOperatorAsync(request.Email, cancellationToken);
        var now = clock.GetUtcNow();
        var before = account.ToResponse(now);
        account.Enable();
        var after = account.ToResponse(now);
        db.Audit(request.By, "operator.enable", "operator", account.Email, before, after, now);
        return after;
    }
}
