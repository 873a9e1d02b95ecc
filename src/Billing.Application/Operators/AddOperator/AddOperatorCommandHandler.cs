using Billing.Application.Abstractions.Persistence;
using Billing.Application.Abstractions.Security;
using Billing.Application.Audit;
using Billing.Domain.Common;
using Billing.Domain.Operators;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Billing.Application.Operators.AddOperator;

internal sealed class AddOperatorCommandHandler(IBillingDbContext db, IPasswordHasher hasher, TimeProvider clock)
    : IRequestHandler<AddOperatorCommand, OperatorResponse>
{
    public async Task<OperatorResponse> Handle(AddOperatorCommand request, CancellationToken cancellationToken)
    {
        var email = Operator.NormalizeEmail(request.Email);
        if (await db.Operators.AnyAsync(o => o.Email == email, cancellationToken))
        {
            throw new DomainException("operator.exists", "An operator with this email already exists.");
        }

        var now = clock.GetUtcNow();
        var account = Operator.Create(email, OperatorRoles.FromWire(request.Role), hasher.Hash(request.Password), now);
        db.Operators.Add(account);
        var response = account.ToResponse(now);
        db.Audit(request.By, "operator.add", "operator", email, before: null, after: response, now);
        return response;
    }
}
