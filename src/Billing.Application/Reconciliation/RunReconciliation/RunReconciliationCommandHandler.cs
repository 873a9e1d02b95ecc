using Billing.Application.Abstractions.Persistence;
using Billing.Application.Abstractions.Reconciliation;
using Billing.Application.Audit;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Reconciliation.RunReconciliation;

internal sealed partial class RunReconciliationCommandHandler(
    IServiceProvider services,
    IReconciliationLock locks,
    IBillingDbContext db,
    TimeProvider clock,
    ILogger<RunReconciliationCommandHandler> logger) : IRequestHandler<RunReconciliationCommand, ReconciliationRunResponse>
{
    /// <summary>The first run of a source, with no --since, looks this far back.</summary>
    public static readonly TimeSpan FirstWindow = TimeSpan.FromHours(72);

    /// <summary>A run starts this long before the previous run's end: late-created provider objects are not missed.</summary>
    public static readonly TimeSpan Overlap = TimeSpan.FromMinutes(10);

    public async Task<ReconciliationRunResponse> Handle(RunReconciliationCommand request, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        ISourceReconciler reconciler;
        try
        {
            reconciler = services.GetRequiredKeyedService<ISourceReconciler>(request.Source);
        }
        catch (InvalidOperationException unconfigured) when (unconfigured.Message.Contains("not configured", StringComparison.Ordinal))
        {
            // The provider's client refuses to be built without its variables (e.g. MAIN_APP_INTERNAL_URL for Flash).
            return Nothing("not_configured", now, unconfigured.Message);
        }

        if (reconciler.NotConfigured is { } notConfigured)
        {
            return Nothing("not_configured", now, notConfigured);
        }

        await using var held = await locks.TryAcquireAsync(request.Source, cancellationToken);
        if (held is null)
        {
            LogSkipped(request.Source);
            return Nothing("skipped", now, $"another {request.Source} reconciliation is running");
        }

        var start = request.Since is { } since ? now - since : (await WatermarkAsync(request.Source, cancellationToken) ?? now - FirstWindow);
        if (start < now - reconciler.MaxWindow)
        {
            start = now - reconciler.MaxWindow;
        }

        var window = new ReconciliationWindow(start, now);
        Guid? runId = request.DryRun ? null : Guid.CreateVersion7(now);
        if (runId is { } id)
        {
            await db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO reconciliation_runs (id, source, trigger, actor, window_start, window_end, started_at, status)
                VALUES ({id}, {request.Source}, {request.Trigger}, {request.By.Actor}, {window.Start}, {window.End}, {now}, 'running')
                """,
                cancellationToken);
        }

        SourceReconciliation result;
        try
        {
            result = await reconciler.RunAsync(window, request.DryRun, request.Progress, cancellationToken);
        }
        catch (Exception failure) when (failure is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A provider that cannot be read fails the run (recorded), not the caller: the next run covers the same window.
            var note = $"{failure.GetType().Name}: {failure.Message}";
            LogFailed(request.Source, failure.GetType().Name, failure.Message);
            if (runId is { } failed)
            {
                await db.Database.ExecuteSqlAsync($"UPDATE reconciliation_runs SET status = 'failed', finished_at = {clock.GetUtcNow()}, note = {note} WHERE id = {failed}", CancellationToken.None);
            }

            return new ReconciliationRunResponse(runId, request.Source, "failed", request.DryRun, window.Start, window.End, 0, 0, 0, note, []);
        }

        var findings = new List<ReconciliationFindingResponse>();
        foreach (var finding in result.Findings)
        {
            var isNew = runId is not { } run || await UpsertAsync(finding, request.Source, run, cancellationToken);
            findings.Add(new ReconciliationFindingResponse(finding.Kind, finding.ObjectKey, finding.UserId, finding.Expected, finding.Actual,
                finding.Fixed ? FindingStatuses.FixedAutomatically : FindingStatuses.Open, isNew));
        }

        var response = new ReconciliationRunResponse(
            runId, request.Source, "completed", request.DryRun, window.Start, window.End, result.Examined,
            findings.Count(f => f.New), findings.Count(f => f.New && f.Status == FindingStatuses.FixedAutomatically), result.Note, findings);
        if (runId is { } completed)
        {
            await db.Database.ExecuteSqlAsync(
                $"""
                UPDATE reconciliation_runs SET status = 'completed', finished_at = {clock.GetUtcNow()}, examined = {response.Examined},
                    findings_new = {response.FindingsNew}, fixed = {response.Fixed}, note = {response.Note}
                WHERE id = {completed}
                """,
                CancellationToken.None);

            // Every run someone asked for is audited; a scheduled run only when it changed something.
            if (request.Trigger != ReconciliationTriggers.Schedule || response.Fixed > 0)
            {
                db.Audit(request.By, "reconciliation.run", "reconciliation_run", completed.ToString("D"), null,
                    new { response.Source, response.WindowStart, response.WindowEnd, response.Examined, response.FindingsNew, response.Fixed, Repaired = findings.Where(f => f.New && f.Status == FindingStatuses.FixedAutomatically).Select(f => f.ObjectKey).Take(100).ToList() },
                    clock.GetUtcNow());
                await db.SaveChangesAsync(CancellationToken.None);
            }
        }

        LogCompleted(request.Source, request.DryRun, result.Examined, response.FindingsNew, response.Fixed);
        return response;

        ReconciliationRunResponse Nothing(string status, DateTimeOffset at, string note) =>
            new(null, request.Source, status, request.DryRun, at, at, 0, 0, 0, note, []);
    }

    private async Task<DateTimeOffset?> WatermarkAsync(string source, CancellationToken ct)
    {
        var ends = await db.Database.SqlQuery<DateTimeOffset>(
            $"SELECT window_end AS \"Value\" FROM reconciliation_runs WHERE source = {source} AND status = 'completed' ORDER BY window_end DESC LIMIT 1").ToListAsync(ct);
        return ends is [var end] ? end - Overlap : null;
    }

    /// <summary>One row per (kind, object): seen again, it is refreshed, keeping its status (an operator's resolution stands).</summary>
    private async Task<bool> UpsertAsync(ReconciliationFinding finding, string source, Guid runId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var status = finding.Fixed ? FindingStatuses.FixedAutomatically : FindingStatuses.Open;
        var inserted = await db.Database.SqlQuery<bool>(
            $"""
            INSERT INTO reconciliation_findings (id, source, kind, object_key, user_id, expected, actual, status, first_run_id, last_run_id, created_at, last_seen_at)
            VALUES ({Guid.CreateVersion7(now)}, {source}, {finding.Kind}, {finding.ObjectKey}, {finding.UserId}, {finding.Expected}, {finding.Actual}, {status}, {runId}, {runId}, {now}, {now})
            ON CONFLICT (kind, object_key) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at, last_run_id = EXCLUDED.last_run_id, actual = EXCLUDED.actual
            RETURNING (xmax = 0) AS "Value"
            """).ToListAsync(ct);
        return inserted is [true];
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconciliation of {Source} skipped: another run holds the lock")]
    private partial void LogSkipped(string source);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reconciliation of {Source} failed ({ExceptionType}: {Message}); the next run covers the same window")]
    private partial void LogFailed(string source, string exceptionType, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconciliation of {Source} done (dry run: {DryRun}): {Examined} examined, {New} new finding(s), {FixedCount} repaired")]
    private partial void LogCompleted(string source, bool dryRun, int examined, int @new, int fixedCount);
}
