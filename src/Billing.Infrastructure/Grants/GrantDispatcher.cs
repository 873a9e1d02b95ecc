using System.Diagnostics;
using Billing.Application.Abstractions.Flash;
using Billing.Application.Abstractions.Telemetry;
using Billing.Domain.Common;
using Billing.Domain.Grants;
using Billing.Infrastructure.Persistence;
using Billing.Infrastructure.Persistence.Configurations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Billing.Infrastructure.Grants;

/// <summary>
/// One pass of grant delivery (docs/decisions/0004):
/// 1. claim due rows with FOR UPDATE SKIP LOCKED and record the attempt (write-ahead), committed before anything is sent;
/// 2. deliver them to Flash, several in flight; a row that may already be applied is first looked up in Flash's history;
/// 3. record every outcome. A crash between 1 and 3 leaves the attempt marked in flight, so it is never resent blindly.
/// </summary>
internal sealed class GrantDispatcher(
    IServiceScopeFactory scopes,
    IFlashClient flash,
    IFlashCreditsClient flashCredits,
    GrantDeliveryOptions options,
    TimeProvider clock,
    BillingMetrics metrics,
    ILogger<GrantDispatcher> logger)
{
    /// <summary>Delivers one batch of due grants; returns how many rows it claimed (0 means nothing was due).</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BillingDbContext>();

        var claimed = await ClaimAsync(db, cancellationToken);
        if (claimed.Count == 0)
        {
            return 0;
        }

        await Parallel.ForEachAsync(
            claimed,
            new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = CancellationToken.None },
            async (claim, _) => await DeliverAsync(claim, cancellationToken));

        // Outcomes are written in one batch. If this fails the rows keep their in-flight marker and are reconciled later.
        await db.SaveChangesAsync(CancellationToken.None);
        return claimed.Count;
    }

    private async Task<List<Claim>> ClaimAsync(BillingDbContext db, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var rows = await db.CreditGrants
            .FromSqlInterpolated($"""
                SELECT g.*, g.xmin FROM credit_grants g
                WHERE g.status = 'pending' AND g.next_attempt_at <= {now}
                ORDER BY g.next_attempt_at
                LIMIT {options.BatchSize}
                FOR UPDATE SKIP LOCKED
                """)
            .ToListAsync(cancellationToken);

        var claims = new List<Claim>(rows.Count);
        foreach (var grant in rows)
        {
            var mayAlreadyBeApplied = grant.MayAlreadyBeApplied;
            grant.StartAttempt(now, now + options.Lease);
            claims.Add(new Claim(grant, mayAlreadyBeApplied, db.Entry(grant).Property<string?>(CreditGrantConfiguration.TraceParentProperty).CurrentValue));
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return claims;
    }

    private async Task DeliverAsync(Claim claim, CancellationToken cancellationToken)
    {
        var grant = claim.Grant;
        using var activity = BillingTelemetry.StartActivity("grant.deliver", ActivityKind.Producer, claim.TraceParent);
        activity?.SetTag("billing.grant_key", grant.GrantKey.Value);
        using var logScope = logger.BeginScope(new Dictionary<string, object> { ["GrantKey"] = grant.GrantKey.Value, ["UserId"] = grant.UserId.Value });
        try
        {
            if (claim.MayAlreadyBeApplied && !await ReconcileAsync(grant, cancellationToken))
            {
                return;
            }

            if (grant.IsClawback)
            {
                await DeliverClawbackAsync(grant, cancellationToken);
            }
            else
            {
                await DeliverGrantAsync(grant, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // We cannot tell whether the request left: the safe reading is "maybe applied".
            logger.LogError("Grant {GrantKey} attempt failed unexpectedly ({ExceptionType}); treating it as ambiguous", grant.GrantKey.Value, ex.GetType().Name);
            RecordAmbiguous(grant, $"{ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            activity?.SetTag("billing.grant_status", grant.Status.ToString());
            RecordMetrics(grant);
        }
    }

    private void RecordMetrics(CreditGrant grant)
    {
        switch (grant.Status)
        {
            case CreditGrantStatus.Delivered:
                metrics.FlashOutcome("applied", grant.IsClawback);
                metrics.GrantDeliveryLatency.Record((clock.GetUtcNow() - grant.CreatedAt).TotalSeconds, new KeyValuePair<string, object?>("kind", grant.IsClawback ? "clawback" : "grant"));
                break;
            case CreditGrantStatus.Dead when grant.Attempts > 0:
                metrics.FlashOutcome("rejected_or_exhausted", grant.IsClawback);
                break;
            case CreditGrantStatus.OwedDebt:
                metrics.FlashOutcome("owed_debt", grant.IsClawback);
                break;
            case CreditGrantStatus.InDoubt:
                metrics.FlashOutcome("in_doubt", grant.IsClawback);
                break;
            default:
                metrics.FlashOutcome(grant.MayAlreadyBeApplied ? "ambiguous" : "not_sent", grant.IsClawback);
                break;
        }
    }

    /// <summary>
    /// A previous attempt may have been applied. Returns true when it is safe to send (history shows it was not applied,
    /// or policy says resend); false when the row was settled here (found in history, held in doubt, or history unreadable).
    /// </summary>
    private async Task<bool> ReconcileAsync(CreditGrant grant, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (!flash.CanReadHistory)
        {
            if (options.AmbiguousPolicy == AmbiguousGrantPolicy.Resend)
            {
                logger.LogWarning("Grant {GrantKey} may already be applied and Flash history is not readable; resending by policy", grant.GrantKey.Value);
                grant.ResolveAsNotApplied();
                return true;
            }

            grant.MarkInDoubt("An attempt may have reached Flash and its history cannot be read (no FLASH_GATEWAY_SIGNING_SECRET); held for an operator instead of risking a double grant.", now);
            logger.LogWarning("Grant {GrantKey} of {Amount} credits is in doubt and held for an operator", grant.GrantKey.Value, grant.Amount);
            return false;
        }

        bool found;
        try
        {
            found = await IsInHistoryAsync(grant, cancellationToken);
        }
        catch (FlashException ex)
        {
            // Nothing was sent in this attempt; look again later.
            grant.RecordNotSent($"history unavailable: {ex.Message}", now, now + Backoff(grant.Attempts), int.MaxValue);
            logger.LogWarning("Grant {GrantKey}: Flash history unavailable ({Reason}); will check again", grant.GrantKey.Value, ex.Message);
            return false;
        }

        if (found)
        {
            grant.ConfirmFromHistory(clock.GetUtcNow());
            logger.LogInformation("Grant {GrantKey} found in Flash history: an earlier attempt was applied; not resent", grant.GrantKey.Value);
            return false;
        }

        grant.ResolveAsNotApplied();
        logger.LogInformation("Grant {GrantKey} not in Flash history after the settle time: earlier attempts were not applied; sending", grant.GrantKey.Value);
        return true;
    }

    private async Task<bool> IsInHistoryAsync(CreditGrant grant, CancellationToken cancellationToken)
    {
        const int pageSize = 100;
        var marker = grant.GrantKey.Value;
        for (var page = 0; page < options.HistoryPages; page++)
        {
            var entries = await flash.GetHistoryAsync(grant.UserId.Value, pageSize, page * pageSize, cancellationToken);
            if (entries.Any(e => e.Amount == grant.Amount && e.Description?.Contains(marker, StringComparison.Ordinal) == true))
            {
                return true;
            }

            // Newest first: once entries predate the grant row, an application of it cannot be further back.
            if (entries.Count < pageSize || entries[^1].CreatedAt < grant.CreatedAt.AddMinutes(-5))
            {
                return false;
            }
        }

        return false;
    }

    private async Task DeliverGrantAsync(CreditGrant grant, CancellationToken cancellationToken)
    {
        var outcome = await flash.GrantCreditsAsync(new FlashGrant(grant.UserId.Value, grant.Amount, grant.TransactionType.ToWire(), grant.Description), cancellationToken);
        var now = clock.GetUtcNow();
        switch (outcome)
        {
            case FlashGrantOutcome.Applied applied:
                grant.MarkDelivered(applied.BalanceAfter, now);
                logger.LogInformation("Grant {GrantKey} of {Amount} credits ({TransactionType}) delivered to Flash", grant.GrantKey.Value, grant.Amount, grant.TransactionType.ToWire());
                break;
            case FlashGrantOutcome.Rejected rejected:
                grant.MarkRejected($"Flash refused it: {rejected.Error.StatusCode} {rejected.Error.Message}", now);
                logger.LogError("Grant {GrantKey} refused by Flash ({StatusCode}): dead-lettered for an operator", grant.GrantKey.Value, rejected.Error.StatusCode);
                break;
            case FlashGrantOutcome.NotSent notSent:
                RecordNotSent(grant, notSent.Reason);
                break;
            case FlashGrantOutcome.Ambiguous ambiguous:
                RecordAmbiguous(grant, ambiguous.Reason);
                break;
            default:
                RecordAmbiguous(grant, "unknown outcome");
                break;
        }
    }

    /// <summary>
    /// Flash's admin grant refuses amounts ≤ 0, so a clawback goes through the credits API's spend when it is configured;
    /// otherwise, or when the user no longer has the credits, it is kept as owed debt. Never dropped silently.
    /// </summary>
    private async Task DeliverClawbackAsync(CreditGrant grant, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (!flashCredits.IsConfigured)
        {
            grant.MarkOwedDebt("Flash's admin grant refuses negative amounts and no debit route (FLASH_CREDITS_API_URL) is configured: recorded as owed debt.", now);
            logger.LogWarning("Clawback {GrantKey} of {Amount} credits recorded as owed debt (no debit route)", grant.GrantKey.Value, grant.Amount);
            return;
        }

        var outcome = await flashCredits.SpendAsync(grant.UserId.Value, -grant.Amount, grant.TransactionType.ToWire(), grant.Description, cancellationToken);
        now = clock.GetUtcNow();
        switch (outcome)
        {
            case FlashCreditsOutcome.Succeeded succeeded:
                grant.MarkDelivered(succeeded.BalanceAfter, now);
                logger.LogInformation("Clawback {GrantKey} of {Amount} credits applied", grant.GrantKey.Value, grant.Amount);
                break;
            case FlashCreditsOutcome.Declined declined:
                grant.MarkOwedDebt($"Flash declined the debit ({declined.Error.Message}): recorded as owed debt.", now);
                logger.LogWarning("Clawback {GrantKey} declined by Flash; recorded as owed debt", grant.GrantKey.Value);
                break;
            case FlashCreditsOutcome.NotSent notSent:
                RecordNotSent(grant, notSent.Reason);
                break;
            case FlashCreditsOutcome.Ambiguous ambiguous:
                RecordAmbiguous(grant, ambiguous.Reason);
                break;
            default:
                RecordAmbiguous(grant, "unknown outcome");
                break;
        }
    }

    private void RecordNotSent(CreditGrant grant, string reason)
    {
        var now = clock.GetUtcNow();
        grant.RecordNotSent(reason, now, now + Backoff(grant.Attempts), options.MaxAttempts);
        if (grant.Status == CreditGrantStatus.Dead)
        {
            logger.LogError("Grant {GrantKey} not delivered after {Attempts} attempts: dead-lettered ({Reason})", grant.GrantKey.Value, grant.Attempts, reason);
        }
        else
        {
            logger.LogWarning("Grant {GrantKey} not sent ({Reason}); retry {Attempt} at {RetryAt:O}", grant.GrantKey.Value, reason, grant.Attempts, grant.NextAttemptAt);
        }
    }

    private void RecordAmbiguous(CreditGrant grant, string reason)
    {
        var now = clock.GetUtcNow();
        grant.RecordAmbiguous(reason, now, now + options.AmbiguousSettle);
        logger.LogWarning("Grant {GrantKey} attempt was ambiguous ({Reason}); its outcome will be reconciled before anything is resent", grant.GrantKey.Value, reason);
    }

    /// <summary>Exponential with ±20 % jitter, so a fleet of rows failed together does not retry in lockstep.</summary>
    private TimeSpan Backoff(int attempts)
    {
        var exponential = options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(20, Math.Max(0, attempts - 1)));
        var capped = Math.Min(exponential, options.RetryMaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.8 + (Random.Shared.NextDouble() * 0.4)));
    }

    private sealed record Claim(CreditGrant Grant, bool MayAlreadyBeApplied, string? TraceParent);
}
