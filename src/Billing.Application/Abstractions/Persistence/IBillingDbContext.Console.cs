using Billing.Domain.Audit;
using Billing.Domain.Operators;
using Microsoft.EntityFrameworkCore;

namespace Billing.Application.Abstractions.Persistence;

/// <summary>The console's sets: operator accounts and the append-only audit log.</summary>
public partial interface IBillingDbContext
{
    DbSet<Operator> Operators { get; }

    DbSet<AuditEntry> AuditLog { get; }
}
