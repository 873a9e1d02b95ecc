using Billing.Application.Abstractions.Attention;
using Microsoft.EntityFrameworkCore;

namespace Billing.Infrastructure.Persistence;

/// <summary>
/// One statement, in the caller's transaction (the same scoped context): the item commits with the decision that raised it.
/// A second raise for the same object refreshes it instead of adding a row, and reopens it if an operator had resolved it
/// (the problem came back; the resolution stays in the audit log).
/// </summary>
internal sealed class AttentionList(BillingDbContext db, TimeProvider clock) : IAttentionList
{
    private const int MaxReasonLength = 2000;

    public async Task RaiseAsync(string kind, string objectKey, string? userId, string reason, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var text = reason.Length <= MaxReasonLength ? reason : reason[..MaxReasonLength];
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO attention_items (id, kind, object_key, user_id, reason, created_at, last_seen_at, occurrences)
            VALUES ({Guid.CreateVersion7()}, {kind}, {objectKey}, {userId}, {text}, {now}, {now}, 1)
            ON CONFLICT (kind, object_key) DO UPDATE
            SET reason = EXCLUDED.reason, last_seen_at = EXCLUDED.last_seen_at, user_id = COALESCE(EXCLUDED.user_id, attention_items.user_id),
                occurrences = attention_items.occurrences + 1,
                resolved_at = NULL, resolved_by = NULL, resolution_reason = NULL
            """, cancellationToken);
    }
}
