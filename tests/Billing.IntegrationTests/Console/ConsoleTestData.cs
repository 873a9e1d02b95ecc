using Billing.Domain.Common;
using Billing.Domain.Grants;
using Billing.IntegrationTests.Infrastructure;

namespace Billing.IntegrationTests.Console;

internal static class ConsoleTestData
{
    /// <summary>A grant Flash refused for good: dead, waiting for an operator.</summary>
    public static async Task<string> SeedDeadGrantAsync(BillingDatabase database, string userId, int amount = 25)
    {
        await using var db = database.CreateContext();
        var key = GrantKey.Parse($"stripe:invoice:in_{Guid.NewGuid():N}");
        var grant = CreditGrant.FromRequest(new CreditGrantRequest(UserId.From(userId), amount, TransactionType.StripePurchase, key, $"Test grant of {amount} [{key}]"), "Test", DateTimeOffset.UtcNow);
        grant.MarkRejected("flash 404: user not found", DateTimeOffset.UtcNow);
        db.CreditGrants.Add(grant);
        await db.SaveChangesAsync();
        return key.Value;
    }
}
