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

    /// <summary>An attention item as the processors raise it (e.g. an unmapped Stripe price); its id.</summary>
    public static async Task<Guid> SeedAttentionItemAsync(BillingDatabase database, string kind, string objectKey, string? userId, string reason)
    {
        await using var command = database.DataSource.CreateCommand(
            "INSERT INTO attention_items (id, kind, object_key, user_id, reason, created_at, last_seen_at) VALUES (gen_random_uuid(), $1, $2, $3, $4, now(), now()) RETURNING id");
        command.Parameters.AddWithValue(kind);
        command.Parameters.AddWithValue(objectKey);
        command.Parameters.AddWithValue((object?)userId ?? DBNull.Value);
        command.Parameters.AddWithValue(reason);
        return (Guid)(await command.ExecuteScalarAsync())!;
    }
}
