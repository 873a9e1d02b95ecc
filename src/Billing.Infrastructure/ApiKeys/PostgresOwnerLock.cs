using Billing.Application.Abstractions.ApiKeys;
using Billing.Domain.Common;
using Billing.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Billing.Infrastructure.ApiKeys;

/// <summary>A transaction-scoped advisory lock on the owner, so two concurrent creations cannot both pass the per-user limit.</summary>
internal sealed class PostgresOwnerLock(BillingDbContext db) : IApiKeyOwnerLock
{
    public async Task LockAsync(UserId owner, CancellationToken cancellationToken) =>
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({"api_keys:" + owner.Value}, 0))", cancellationToken);
}
