using Billing.Application.Audit;
using FluentValidation;
using MediatR;

namespace Billing.Application.Reconciliation.RunReconciliation;

/// <summary>
/// Reconcile one source now: the scheduled worker, the CLI, the console and the admin route all send this. Deliberately
/// not an <c>ICommand</c>: it calls the provider for minutes with no transaction open (docs/decisions/0016); its own writes
/// are short statements, and a repair goes through the normal intake. One run per source at a time (advisory lock).
/// </summary>
/// <remarks>
/// <para><c>Since</c>: How far back to look; null: from the last completed run's end (with an overlap), else 72 hours.</para>
/// <para><c>DryRun</c>: Report what would be found and repaired; write nothing (no run, no finding, no repair, no audit line).</para>
/// <para><c>Progress</c>: The CLI's progress bar, or null.</para>
/// </remarks>
public sealed record RunReconciliationCommand(
    string Source,
    TimeSpan? Since,
    bool DryRun,
    AuditContext By,
    string Trigger,
    IProgress<ReconciliationProgress>? Progress = null) : IRequest<ReconciliationRunResponse>;

/// <summary>
/// <c>status</c>: completed, failed (the provider could not be read; <c>note</c> says why), skipped (another run holds the
/// lock) or not_configured. <c>run_id</c> is null for a dry run and when nothing ran.
/// </summary>
public sealed record ReconciliationRunResponse(
    Guid? RunId,
    string Source,
    string Status,
    bool DryRun,
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd,
    int Examined,
    int FindingsNew,
    int Fixed,
    string? Note,
    IReadOnlyList<ReconciliationFindingResponse> Findings);

public sealed record ReconciliationFindingResponse(string Kind, string ObjectKey, string? UserId, string Expected, string Actual, string Status, bool New);

internal sealed class RunReconciliationCommandValidator : AbstractValidator<RunReconciliationCommand>
{
    public RunReconciliationCommandValidator()
    {
        RuleFor(c => c.Source).Must(s => ReconciliationSources.All.Contains(s)).WithMessage("The source is stripe, apple or flash.");
        RuleFor(c => c.Since).Must(s => s is null || (s > TimeSpan.Zero && s <= TimeSpan.FromDays(180))).WithMessage("since is a positive duration of at most 180 days (e.g. 72h, 30m, 7d).");
        RuleFor(c => c.Trigger).NotEmpty().MaximumLength(16);
        RuleFor(c => c.By).MustBeAuditable();
    }
}
