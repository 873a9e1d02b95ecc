using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Billing.Application.Abstractions.Flash;
using Billing.Application.Abstractions.Persistence;
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
/// One pass of grant delivery (docs/decisions/0004 and 0007):
/// 1. claim at most what can be sent at once (the free ones of <see cref="GrantDeliveryOptions.Concurrency"/> send slots, FOR UPDATE
///    SKIP LOCKED), each leased so no other instance takes it;
/// 2. per row: reconcile an attempt that may already be applied; then, right before the send, record the attempt and a fresh
///    lease (write-ahead, committed; for a row with nothing to reconcile the claim itself does this, since it is sent at once);
///    send once;
/// 3. save each outcome in its own short update, conditional on the row's version, so losing one row to another instance cannot
///    discard the others. A crash between 2 and 3 leaves the attempt marked in flight, so it is never resent blindly.
/// Once a send has started it is never cancelled by the host stopping: it ends with its own timeout and its outcome is saved.
/// </summary>
internal sealed class GrantDispatcher(
    IServiceScopeFactory scopes,
    IFlashLedgerClient flash,
    IFlashCreditsClient flashCredits,
    GrantDeliveryOptions options,
    TimeProvider clock,
    BillingMetrics metrics,
    ILogger<GrantDispatcher> logger)
{
    // What is sent is AmountToSend: a positive grant less the owed debt netted from it, a clawback less what netting
    // already collected (docs/decisions/0012). Voided clawbacks are never claimed: the claim takes 'pending' rows only.
    private const int HistoryPageSize = 100;

    // Set when Flash could not be reached at all; until its health probe answers, nothing is claimed (no row burns a retry).
    private volatile bool _flashUnreachable;

    private enum Verdict
    {
        Found,
        ProvenAbsent,
        Unknown,
        Unavailable,
    }

    private readonly ConcurrentDictionary<Task, byte> _sending = new();
    private readonly SemaphoreSlim _slotFreed = new(0);
    private int _inFlight;

    /// <summary>How often Flash's health is asked while it is unreachable: cheap (a refused connection costs nothing), and it bounds
    /// how long due grants wait once Flash is back.</summary>
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>True while Flash could not be reached: nothing is claimed until its health probe answers.</summary>
    public bool IsWaitingForFlash => _flashUnreachable;

    /// <summary>Send slots not in use: how many rows the next claim may take.</summary>
    public int FreeSlots => options.Concurrency - Volatile.Read(ref _inFlight);

    /// <summary>Claims due grants and delivers them, waiting until every one is settled; returns how many rows it claimed (0:
    /// nothing due, or Flash is not answering). One pass, for tests and tools; the hosted service uses <see cref="StartDueAsync"/>.</summary>
    public async Task<int> RunOnceAsync(CancellationToken stoppingToken)
    {
        var started = await StartDueAsync(stoppingToken);
        await WhenSendsFinishedAsync();
        return started;
    }

    /// <summary>
    /// Claims as many due rows as there are free send slots and starts delivering them without waiting, so a slow send never holds
    /// back the next claim. Returns how many rows it claimed. The sends never see <paramref name="stoppingToken"/>: once started
    /// they end with their own timeout (<see cref="WhenSendsFinishedAsync"/> waits for them).
    /// </summary>
    public async Task<int> StartDueAsync(CancellationToken stoppingToken)
    {
        var free = FreeSlots;
        if (free <= 0)
        {
            return 0;
        }

        if (_flashUnreachable)
        {
            if (!await flash.ProbeAsync(stoppingToken))
            {
                return 0;
            }

            _flashUnreachable = false;
            logger.LogInformation("Flash answers again: grant delivery resumes");
        }

        if (flash.IsDeliveryCircuitOpen)
        {
            // Every send would be refused unattempted; claiming would only churn rows until the breaker lets a trial through.
            return 0;
        }

        var claims = await ClaimAsync(free, stoppingToken);
        foreach (var claim in claims)
        {
            Interlocked.Increment(ref _inFlight);
            var sending = SendTrackedAsync(claim, stoppingToken);
            _sending.TryAdd(sending, 0);
            _ = sending.ContinueWith(done => _sending.TryRemove(done, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return claims.Count;
    }

    /// <summary>Waits until a send slot frees up (or <paramref name="timeout"/>).</summary>
    public Task WaitForFreeSlotAsync(TimeSpan timeout, CancellationToken cancellationToken) => _slotFreed.WaitAsync(timeout, cancellationToken);

    /// <summary>Completes when every started send has settled (its outcome saved, or left marked in flight).</summary>
    public Task WhenSendsFinishedAsync() => Task.WhenAll(_sending.Keys);

    private async Task SendTrackedAsync(Claim claim, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Yield();
            await DeliverAsync(claim, stoppingToken);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            _slotFreed.Release();
        }
    }

    private async Task<List<Claim>> ClaimAsync(int limit, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BillingDbContext>();
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        using var open = DatabaseTransactionFlow.Enter();
        var rows = await db.CreditGrants
            .FromSqlInterpolated($"""
                SELECT g.*, g.xmin FROM credit_grants g
                WHERE g.status = 'pending' AND g.next_attempt_at <= {now}
                ORDER BY g.next_attempt_at
                LIMIT {limit}
                FOR UPDATE SKIP LOCKED
                """)
            .ToListAsync(cancellationToken);

        var claims = new List<Claim>(rows.Count);
        foreach (var grant in rows)
        {
            var mayAlreadyBeApplied = grant.MayAlreadyBeApplied;
            var needsReconciliation = mayAlreadyBeApplied || (grant.IsClawback && !flashCredits.IsConfigured);
            if (needsReconciliation)
            {
                // History (or the owed-debt decision) comes first; the attempt is recorded right before its send, if any.
                grant.LeaseUntil(now + options.Lease);
            }
            else
            {
                // Sent straight after this commit (a claim is never larger than what is sent at once): the write-ahead attempt
                // and its lease go in the claim itself.
                grant.StartAttempt(now, now + options.Lease);
            }

            claims.Add(new Claim(grant, mayAlreadyBeApplied, attemptStarted: !needsReconciliation, db.Entry(grant).Property<string?>(CreditGrantConfiguration.TraceParentProperty).CurrentValue));
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        foreach (var claim in claims)
        {
            claim.Version = db.Entry(claim.Grant).Property<uint>("Version").CurrentValue;
        }

        return claims;
    }

    private async Task DeliverAsync(Claim claim, CancellationToken stoppingToken)
    {
        var grant = claim.Grant;
        using var activity = BillingTelemetry.StartActivity("grant.deliver", ActivityKind.Producer, claim.TraceParent);
        activity?.SetTag("billing.grant_key", grant.GrantKey.Value);
        using var logScope = logger.BeginScope(new Dictionary<string, object> { ["GrantKey"] = grant.GrantKey.Value, ["UserId"] = grant.UserId.Value });
        var sendStarted = false;
        try
        {
            if (grant.IsClawback && !flashCredits.IsConfigured && !claim.MayAlreadyBeApplied)
            {
                await SaveAsync(claim, g => g.MarkOwedDebt("Flash's admin grant refuses negative amounts and no debit route (FLASH_CREDITS_API_URL) is configured: recorded as owed debt.", clock.GetUtcNow()));
                logger.LogWarning("Clawback {GrantKey} of {Amount} credits recorded as owed debt (no debit route)", grant.GrantKey.Value, grant.Amount);
                return;
            }

            if (claim.MayAlreadyBeApplied && !await ReconcileAsync(claim, stoppingToken))
            {
                return;
            }

            if (stoppingToken.IsCancellationRequested && !claim.AttemptStarted)
            {
                // Stopping: do not start a send now; hand the row back (another instance, or the next start, takes it at once).
                await SaveAsync(claim, g => g.LeaseUntil(clock.GetUtcNow()));
                return;
            }

            // Write-ahead, right before the send: the attempt and a lease longer than the send can take, committed first.
            var startedAt = clock.GetUtcNow();
            if (!claim.AttemptStarted && !await SaveAsync(claim, g =>
                {
                    if (claim.MayAlreadyBeApplied)
                    {
                        g.ResolveAsNotApplied();
                    }

                    g.StartAttempt(startedAt, startedAt + options.Lease);
                }))
            {
                return;
            }

            sendStarted = true;
            if (grant.IsClawback)
            {
                await DeliverClawbackAsync(claim);
            }
            else
            {
                await DeliverGrantAsync(claim);
            }
        }
        catch (OperationCanceledException) when (!sendStarted && stoppingToken.IsCancellationRequested)
        {
            // A reconciliation read was cut short by the host stopping; nothing was sent and the row keeps its markers.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            if (!sendStarted)
            {
                // Nothing was sent: the row keeps its state and is claimed again when its lease ends.
                logger.LogWarning("Grant {GrantKey} could not be prepared ({ExceptionType}: {Message}); it is retried when its lease ends", grant.GrantKey.Value, ex.GetType().Name, ex.Message);
                return;
            }

            // We cannot tell whether the request left: the safe reading is "maybe applied".
            logger.LogError("Grant {GrantKey} attempt failed unexpectedly ({ExceptionType}); treating it as ambiguous", grant.GrantKey.Value, ex.GetType().Name);
            try
            {
                await SaveAsync(claim, g => RecordAmbiguous(g, $"{ex.GetType().Name}: {ex.Message}"));
            }
            catch (Exception saveError) when (saveError is not OutOfMemoryException)
            {
                // The in-flight marker stays: the next claim treats the attempt as possibly applied.
                logger.LogError("Grant {GrantKey}: the outcome could not be saved ({ExceptionType}); the attempt stays marked in flight", grant.GrantKey.Value, saveError.GetType().Name);
            }
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
    /// A previous attempt may have been applied. Returns true when it is safe to send (history proves it was not applied, or policy
    /// says resend); false when the row was settled or deferred here (found, held in doubt, history unavailable).
    /// </summary>
    private async Task<bool> ReconcileAsync(Claim claim, CancellationToken stoppingToken)
    {
        var grant = claim.Grant;
        if (grant.IsClawback)
        {
            // A clawback is debited from the credits API's ledger, which billing cannot read: no way to prove it was not taken.
            await SaveAsync(claim, g => g.MarkInDoubt("A debit may have reached the credits API (FLASH_CREDITS_API_URL), whose ledger billing cannot read; held for an operator, never resent (a resend could debit twice).", clock.GetUtcNow()));
            logger.LogWarning("Clawback {GrantKey} of {Amount} credits is in doubt and held for an operator", grant.GrantKey.Value, grant.Amount);
            return false;
        }

        if (!flash.CanReadHistory)
        {
            if (options.AmbiguousPolicy == AmbiguousGrantPolicy.Resend)
            {
                logger.LogWarning("Grant {GrantKey} may already be applied and Flash history is not readable; resending by policy", grant.GrantKey.Value);
                return true;
            }

            await SaveAsync(claim, g => g.MarkInDoubt("An attempt may have reached Flash and its history cannot be read (no FLASH_GATEWAY_SIGNING_SECRET); held for an operator instead of risking a double grant.", clock.GetUtcNow()));
            logger.LogWarning("Grant {GrantKey} of {Amount} credits is in doubt and held for an operator", grant.GrantKey.Value, grant.Amount);
            return false;
        }

        var (verdict, reason, counts) = await SearchHistoryAsync(grant, stoppingToken);
        var now = clock.GetUtcNow();
        switch (verdict)
        {
            case Verdict.Found:
                await SaveAsync(claim, g => g.ConfirmFromHistory(now));
                logger.LogInformation("Grant {GrantKey} found in Flash history: an earlier attempt was applied; not resent", grant.GrantKey.Value);
                return false;
            case Verdict.ProvenAbsent:
                logger.LogInformation("Grant {GrantKey} proven absent from Flash history: earlier attempts were not applied; sending", grant.GrantKey.Value);
                return true;
            case Verdict.Unknown:
                await SaveAsync(claim, g => g.MarkInDoubt($"Flash history cannot tell whether an earlier attempt was applied: {reason}", now));
                logger.LogWarning("Grant {GrantKey} of {Amount} credits is in doubt ({Reason}); held for an operator", grant.GrantKey.Value, grant.Amount, reason);
                return false;
            default:
                if (grant.IsOutOfBudget(now, options.GiveUpAfter))
                {
                    await SaveAsync(claim, g => g.MarkInDoubt($"Flash history stayed unreadable past {GrantDeliveryOptions.GiveUpAfterKey}: {reason}", now));
                    logger.LogError("Grant {GrantKey}: Flash history unreadable for too long; held in doubt for an operator", grant.GrantKey.Value);
                    return false;
                }

                await SaveAsync(claim, g => g.DeferReconciliation($"history unavailable: {reason}", now, now + (counts ? Backoff(g, now) : options.RetryBaseDelay), counts));
                logger.LogWarning("Grant {GrantKey}: Flash history unavailable ({Reason}); will check again", grant.GrantKey.Value, reason);
                return false;
        }
    }

    /// <summary>
    /// Newest first, from now back to the first attempt that may have been applied (minus the clock-skew margin). Found: an entry
    /// with the amount and the key. Proven absent: the search reached that point, or the whole ledger, without one. Anything
    /// else (out of pages, a definitive error) is unknown; a transient error is unavailable (counts: whether it counts toward the budget).
    /// </summary>
    private async Task<(Verdict Verdict, string Reason, bool Counts)> SearchHistoryAsync(CreditGrant grant, CancellationToken cancellationToken)
    {
        var marker = grant.GrantKey.Value;
        var searchFrom = (grant.MayBeAppliedSince ?? grant.LastAttemptAt ?? grant.CreatedAt) - GrantDeliveryOptions.ClockSkewMargin;
        try
        {
            for (var page = 0; page < options.HistoryPages; page++)
            {
                var entries = await flash.GetHistoryAsync(grant.UserId.Value, HistoryPageSize, page * HistoryPageSize, cancellationToken);
                if (entries.Any(e => e.Amount == grant.AmountToSend && e.Description?.Contains(marker, StringComparison.Ordinal) == true))
                {
                    return (Verdict.Found, "", false);
                }

                if (entries.Count < HistoryPageSize || entries[^1].CreatedAt < searchFrom)
                {
                    return (Verdict.ProvenAbsent, "", false);
                }
            }
        }
        catch (FlashRequestException ex)
        {
            // 401/403 (identity or keys), 404 (no such user or account), 422: asking again will not make the history readable.
            return (Verdict.Unknown, $"the history read was refused ({ex.StatusCode} {ex.Error.Message})", false);
        }
        catch (FlashUnavailableException ex)
        {
            var unreachable = ex.StatusCode is null && ex.InnerException is HttpRequestException;
            if (unreachable)
            {
                _flashUnreachable = true;
            }

            var circuitOpen = ex.InnerException is Polly.CircuitBreaker.BrokenCircuitException;
            return (Verdict.Unavailable, ex.Message, !unreachable && !circuitOpen);
        }

        return (Verdict.Unknown, string.Create(
            CultureInfo.InvariantCulture,
            $"{options.HistoryPages} pages ({options.HistoryPages * HistoryPageSize} entries) searched without reaching {searchFrom:O}; running out of pages proves nothing"), false);
    }

    private async Task DeliverGrantAsync(Claim claim)
    {
        var grant = claim.Grant;

        // CancellationToken.None: a started send ends with its own timeout, never with the host's stopping token.
        var outcome = await flash.GrantCreditsAsync(new FlashGrant(grant.UserId.Value, grant.AmountToSend, grant.TransactionType.ToWire(), grant.Description), CancellationToken.None);
        var now = clock.GetUtcNow();
        switch (outcome)
        {
            case FlashGrantOutcome.Applied applied:
                await SaveAsync(claim, g => g.MarkDelivered(applied.BalanceAfter, now));
                logger.LogInformation("Grant {GrantKey} of {Amount} credits ({TransactionType}) delivered to Flash", grant.GrantKey.Value, grant.Amount, grant.TransactionType.ToWire());
                break;
            case FlashGrantOutcome.Rejected { Error.StatusCode: 401 or 403 } refused:
                await RecordConfigurationErrorAsync(claim, refused.Error);
                break;
            case FlashGrantOutcome.Rejected rejected:
                await SaveAsync(claim, g => g.MarkRejected($"Flash refused it: {rejected.Error.StatusCode} {rejected.Error.Message}", now));
                logger.LogError("Grant {GrantKey} refused by Flash ({StatusCode}): dead-lettered for an operator", grant.GrantKey.Value, rejected.Error.StatusCode);
                break;
            case FlashGrantOutcome.NotSent notSent:
                if (notSent.Unreachable)
                {
                    _flashUnreachable = true;
                }

                await RecordNotSentAsync(claim, notSent.Reason);
                break;
            case FlashGrantOutcome.Ambiguous ambiguous:
                await SaveAsync(claim, g => RecordAmbiguous(g, ambiguous.Reason));
                break;
            default:
                await SaveAsync(claim, g => RecordAmbiguous(g, "unknown outcome"));
                break;
        }
    }

    /// <summary>
    /// Flash's admin grant refuses amounts ≤ 0, so a clawback goes through the credits API's spend; when the user no longer has
    /// the credits it is kept as owed debt. Never dropped silently.
    /// </summary>
    private async Task DeliverClawbackAsync(Claim claim)
    {
        var grant = claim.Grant;
        var outcome = await flashCredits.SpendAsync(grant.UserId.Value, -grant.AmountToSend, grant.TransactionType.ToWire(), grant.Description, CancellationToken.None);
        var now = clock.GetUtcNow();
        switch (outcome)
        {
            case FlashCreditsOutcome.Succeeded succeeded:
                await SaveAsync(claim, g => g.MarkDelivered(succeeded.BalanceAfter, now));
                logger.LogInformation("Clawback {GrantKey} of {Amount} credits applied", grant.GrantKey.Value, grant.Amount);
                break;
            case FlashCreditsOutcome.Declined { Error.StatusCode: 401 or 403 } refused:
                await RecordConfigurationErrorAsync(claim, refused.Error);
                break;
            case FlashCreditsOutcome.Declined declined:
                await SaveAsync(claim, g => g.MarkOwedDebt($"Flash declined the debit ({declined.Error.Message}): recorded as owed debt.", now));
                logger.LogWarning("Clawback {GrantKey} declined by Flash; recorded as owed debt", grant.GrantKey.Value);
                break;
            case FlashCreditsOutcome.NotSent notSent:
                await RecordNotSentAsync(claim, notSent.Reason);
                break;
            case FlashCreditsOutcome.Ambiguous ambiguous:
                await SaveAsync(claim, g => RecordAmbiguous(g, ambiguous.Reason));
                break;
            default:
                await SaveAsync(claim, g => RecordAmbiguous(g, "unknown outcome"));
                break;
        }
    }

    /// <summary>401/403: our keys or signature are wrong, which an operator fixes in configuration. Nothing was applied, so the
    /// grant is retried with backoff (and logged as an error each time) until the give-up budget runs out, not dead-lettered at once.</summary>
    private async Task RecordConfigurationErrorAsync(Claim claim, FlashError error)
    {
        var now = clock.GetUtcNow();
        await SaveAsync(claim, g => g.RecordFailedAttempt($"configuration error: Flash answered {error.StatusCode} {error.Message}", now, now + Backoff(g, now), options.GiveUpAfter));
        logger.LogError(
            "Grant {GrantKey}: Flash refused our credentials ({StatusCode} {Message}); check FLASH_SERVICE_KEY, FLASH_ADMIN_KEY, FLASH_GATEWAY_SIGNING_SECRET and FLASH_CREDITS_SERVICE_KEY. Retrying with backoff",
            claim.Grant.GrantKey.Value,
            error.StatusCode,
            error.Message);
    }

    /// <summary>Never sent: certainly not applied, and not counted toward the give-up budget. Retried soon; while Flash is unreachable
    /// or the breaker is open, <see cref="RunOnceAsync"/> claims nothing, so the short delay does not churn rows.</summary>
    private async Task RecordNotSentAsync(Claim claim, string reason)
    {
        var now = clock.GetUtcNow();
        await SaveAsync(claim, g => g.RecordNotSent(reason, now + Jitter(options.RetryBaseDelay)));
        logger.LogWarning("Grant {GrantKey} not sent ({Reason}); retried once Flash answers", claim.Grant.GrantKey.Value, reason);
    }

    private void RecordAmbiguous(CreditGrant grant, string reason)
    {
        var now = clock.GetUtcNow();
        grant.RecordAmbiguous(reason, now, now + options.AmbiguousSettle);
        logger.LogWarning("Grant {GrantKey} attempt was ambiguous ({Reason}); its outcome will be reconciled before anything is resent", grant.GrantKey.Value, reason);
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the claimed row and saves it alone, on condition that nobody changed the row since this
    /// dispatcher last wrote it (its xmin). False when another instance took the row: this outcome is dropped, the other instance's
    /// state stands (and a row that may have been applied is reconciled by whoever holds it).
    /// </summary>
    private async Task<bool> SaveAsync(Claim claim, Action<CreditGrant> change)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BillingDbContext>();
        var entry = db.CreditGrants.Attach(claim.Grant);
        var version = entry.Property<uint>("Version");
        version.OriginalValue = claim.Version;
        version.CurrentValue = claim.Version;
        change(claim.Grant);
        try
        {
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (DbUpdateConcurrencyException)
        {
            logger.LogWarning("Grant {GrantKey} was changed by another dispatcher meanwhile; this dispatcher's update is dropped", claim.Grant.GrantKey.Value);
            return false;
        }

        claim.Version = version.CurrentValue;
        return true;
    }

    /// <summary>Backoff for counted failures: about as long as the grant has been failing (so retries thin out geometrically), at
    /// least the base delay, at most the cap, with ±20 % jitter so rows failed together do not retry in lockstep.</summary>
    private TimeSpan Backoff(CreditGrant grant, DateTimeOffset now)
    {
        var failingFor = grant.FailingSince is { } since ? now - since : TimeSpan.Zero;
        var delay = TimeSpan.FromTicks(Math.Clamp(failingFor.Ticks, options.RetryBaseDelay.Ticks, options.RetryMaxDelay.Ticks));
        return Jitter(delay);
    }

    private static TimeSpan Jitter(TimeSpan delay) => delay * (0.8 + (Random.Shared.NextDouble() * 0.4));

    private sealed class Claim(CreditGrant grant, bool mayAlreadyBeApplied, bool attemptStarted, string? traceParent)
    {
        public CreditGrant Grant { get; } = grant;

        /// <summary>Read at claim time: an earlier attempt may have been applied, so history decides before anything is sent.</summary>
        public bool MayAlreadyBeApplied { get; } = mayAlreadyBeApplied;

        /// <summary>The claim itself recorded the attempt (nothing to reconcile first): the send follows at once.</summary>
        public bool AttemptStarted { get; } = attemptStarted;

        /// <summary>The trace of the request that owed the grant: delivery continues it.</summary>
        public string? TraceParent { get; } = traceParent;

        /// <summary>The row's xmin as this dispatcher last wrote it: every save is conditional on it.</summary>
        public uint Version { get; set; }
    }
}
