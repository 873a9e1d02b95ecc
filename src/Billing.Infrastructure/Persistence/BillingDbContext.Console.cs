using Billing.Domain.Audit;
using Billing.Domain.Operators;
using Microsoft.EntityFrameworkCore;

namespace Billing.Infrastructure.Persistence;

internal sealed partial class BillingDbContext
{
    public DbSet<Operator> Operators => Set<Operator>();

    public DbSet<AuditEntry> AuditLog => Set<AuditEntry>();
}
