using Billing.Application.Abstractions.Persistence;
using Billing.Application.Common;
using Billing.Domain.Operators;
using Microsoft.EntityFrameworkCore;

namespace Billing.Application.Operators;

internal static class OperatorLookup
{
    public static async Task<Operator> GetOperatorAsync(this IBillingDbContext db, string email, CancellationToken cancellationToken)
    {
        var normalized = Operator.NormalizeEmail(email);
        return await db.Operators.SingleOrDefaultAsync(o => o.Email == normalized, cancellationToken)
            ?? throw new NotFoundException("operator.not_found", "No operator has this email.");
    }
}
