using Billing.Application.Abstractions.Messaging;
using Billing.Application.Abstractions.Persistence;
using Billing.Application.Audit;
using Billing.Application.Common;
using Billing.Application.Reconciliation.GetReconciliation;
using Billing.Domain.Common;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Billing.Application.Reconciliation.ResolveFinding;

/// <summary>An operator looked at an open finding and dealt with it: resolved by whom and when, audited with the reason.</summary>
public sealed record ResolveReconciliationFindingCommand(Guid FindingId, AuditContext By) : ICommand<ReconciliationFindingRow>;

internal sealed class ResolveReconciliationFindingCommandValidator : AbstractValidator<ResolveReconciliationFindingCommand>
{
    public ResolveReconciliationFindingCommandValidator()
    {
        RuleFor(c => c.FindingId).NotEmpty();
        RuleFor(c => c.By).MustBeAuditable();
    }
}

internal sealed class ResolveReconciliationFindingCommandHandler(IBillingDbContext db, TimeProvider clock)
    : IRequestHandler<ResolveReconciliationFindingCommand, ReconciliationFindingRow>
{
    public async Task<ReconciliationFindingRow> Handle(ResolveReconciliationFindingCommand request, CancellationToken cancellationToken)
    {
        var before = await FindingQueries.FindAsync(db, request.FindingId, cancellationToken)
            ?? throw new NotFoundException("finding.not_found", $"No reconciliation finding {request.FindingId}.");
        if (before.Status != FindingStatuses.Open)
        {
            throw new DomainException("finding.not_open", $"Finding {request.FindingId} is {before.Status}: only open findings are resolved.");
        }

        var now = clock.GetUtcNow();
        await db.Database.ExecuteSqlAsync(
            $"UPDATE reconciliation_findings SET status = 'resolved', resolved_by = {request.By.Actor}, resolved_at = {now} WHERE id = {request.FindingId} AND status = 'open'",
            cancellationToken);
        var after = (await FindingQueries.FindAsync(db, request.FindingId, cancellationToken))!;
        db.Audit(request.By, "finding.resolve", "reconciliation_finding", request.FindingId.ToString("D"), before, after, now);
        return after;
    }
}
