using Billing.Application.Abstractions.Persistence;
using Billing.Application.Common;
using Billing.Domain.Common;
using Billing.Domain.Grants;
using Microsoft.EntityFrameworkCore;

namespace Billing.Application.Grants;

internal static class GrantLookup
{
    /// <summary>The grant with this key, tracked for change; a malformed key is a 400, an unknown one a 404.</summary>
    public static async Task<CreditGrant> GetGrantAsync(this IBillingDbContext db, string grantKey, CancellationToken cancellationToken)
    {
        var key = GrantKey.Parse(grantKey);
        return await db.CreditGrants.SingleOrDefaultAsync(g => g.GrantKey == key, cancellationToken)
            ?? throw new NotFoundException("grant.not_found", "No grant has this key.");
    }
}
