using Billing.Application.Abstractions.Persistence;
using Billing.Domain.Grants;
using Microsoft.EntityFrameworkCore;

namespace Billing.Application.Grants;

/// <summary>A reversal met a clawback that may be reaching Flash right now (in flight) or may have (in doubt): retried later.</summary>
public sealed class ClawbackUnsettledException(string message) : Exception(message);

/// <summary>
/// What a refund reversal may give back (docs/decisions/0011): only credits that really left the user. The clawbacks of the
/// reversed refund that were never applied (pending and not in flight, owed_debt, dead) are first claimed as <c>voided</c>
/// with one conditional UPDATE, in the caller's transaction: the condition is the dispatcher's own "not in flight", and a
/// row the dispatcher holds is locked, so the UPDATE waits and then re-checks it. Voided is terminal and never claimed.
/// </summary>
internal sealed class ClawbackReversals(IBillingDbContext db, TimeProvider clock)
{
    /// <summary>
    /// Voids the unapplied clawbacks whose key starts with <paramref name="clawbackKeyPrefix"/> and returns the credits still
    /// held back: what those clawbacks debited (delivered, or collected by netting) less what earlier reversals (keys starting
    /// with <paramref name="restoreKeyPrefix"/>) already gave back.
    /// </summary>
    /// <exception cref="ClawbackUnsettledException">A clawback is in flight or in doubt: nobody knows yet what it took.</exception>
    public Task<int> VoidUnappliedAsync(string clawbackKeyPrefix, string? restoreKeyPrefix, string reason, CancellationToken cancellationToken) =>
        VoidUnappliedCoreAsync(Like(clawbackKeyPrefix) + "%", restoreKeyPrefix is null ? null : Like(restoreKeyPrefix) + "%", reason, cancellationToken);

    /// <summary>As the prefix overload, for the one clawback with exactly <paramref name="clawbackKey"/> (e.g. a lost dispute's).</summary>
    public Task<int> VoidUnappliedExactAsync(string clawbackKey, string reason, CancellationToken cancellationToken) =>
        VoidUnappliedCoreAsync(Like(clawbackKey), null, reason, cancellationToken);

    /// <summary>The work, on LIKE patterns (escaped with a backslash) of the clawback keys and the earlier restores' keys.</summary>
    private async Task<int> VoidUnappliedCoreAsync(string clawbacks, string? restores, string reason, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            UPDATE credit_grants
            SET status = 'voided', last_error = {reason}, next_attempt_at = {now}
            WHERE grant_key LIKE {clawbacks} ESCAPE '\' AND amount < 0
              AND (status IN ('owed_debt', 'dead') OR (status = 'pending' AND NOT attempt_in_flight AND NOT unconfirmed))
            """, cancellationToken);

        var rows = await Matching(clawbacks).Where(g => g.Amount < 0).ToListAsync(cancellationToken);
        var unsettled = rows.Where(g => g.Status is CreditGrantStatus.Pending or CreditGrantStatus.InDoubt).ToList();
        if (unsettled.Count > 0)
        {
            throw new ClawbackUnsettledException(
                $"clawback {string.Join(", ", unsettled.Select(g => g.GrantKey.Value))} may be reaching Flash (in flight or in doubt): the reversal waits until it is settled");
        }

        var debited = rows.Sum(g => g.CreditsDebited);
        var restored = restores is null
            ? 0
            : await Matching(restores).Where(g => g.Amount > 0).SumAsync(g => g.Amount, cancellationToken);
        return Math.Max(0, debited - restored);
    }

    private IQueryable<CreditGrant> Matching(string likePattern) =>
        db.CreditGrants.FromSqlInterpolated($"SELECT g.*, g.xmin FROM credit_grants g WHERE g.grant_key LIKE {likePattern} ESCAPE '\\'").AsNoTracking();

    /// <summary>A LIKE pattern matching <paramref name="literal"/> exactly (its wildcards escaped).</summary>
    private static string Like(string literal) =>
        literal.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
