using Billing.Application.Abstractions.Persistence;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Billing.Application.Reconciliation.GetReconciliation;

/// <summary>The last runs (newest first) and the open findings: <c>GET /internal/billing/admin/reconciliation</c>, the console, the CLI.</summary>
public sealed record GetReconciliationQuery(int Limit = 20) : IRequest<ReconciliationOverviewResponse>;

public sealed record ReconciliationOverviewResponse(IReadOnlyList<ReconciliationRunRow> Runs, IReadOnlyList<ReconciliationFindingRow> OpenFindings);

public sealed class ReconciliationRunRow
{
    public Guid Id { get; set; }

    public string Source { get; set; } = "";

    public string Trigger { get; set; } = "";

    public string Actor { get; set; } = "";

    public DateTimeOffset WindowStart { get; set; }

    public DateTimeOffset WindowEnd { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public string Status { get; set; } = "";

    public int Examined { get; set; }

    public int FindingsNew { get; set; }

    public int Fixed { get; set; }

    public string? Note { get; set; }
}

public sealed class ReconciliationFindingRow
{
    public Guid Id { get; set; }

    public string Source { get; set; } = "";

    public string Kind { get; set; } = "";

    public string ObjectKey { get; set; } = "";

    public string? UserId { get; set; }

    public string Expected { get; set; } = "";

    public string Actual { get; set; } = "";

    public string Status { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset LastSeenAt { get; set; }

    public string? ResolvedBy { get; set; }

    public DateTimeOffset? ResolvedAt { get; set; }
}

internal sealed class GetReconciliationQueryValidator : AbstractValidator<GetReconciliationQuery>
{
    public GetReconciliationQueryValidator() => RuleFor(q => q.Limit).InclusiveBetween(1, 500);
}

internal sealed class GetReconciliationQueryHandler(IBillingDbContext db) : IRequestHandler<GetReconciliationQuery, ReconciliationOverviewResponse>
{
    public async Task<ReconciliationOverviewResponse> Handle(GetReconciliationQuery request, CancellationToken cancellationToken)
    {
        var runs = await db.Database.SqlQuery<ReconciliationRunRow>(
            $"""
            SELECT id AS "Id", source AS "Source", trigger AS "Trigger", actor AS "Actor", window_start AS "WindowStart", window_end AS "WindowEnd",
                   started_at AS "StartedAt", finished_at AS "FinishedAt", status AS "Status", examined AS "Examined",
                   findings_new AS "FindingsNew", fixed AS "Fixed", note AS "Note"
            FROM reconciliation_runs ORDER BY started_at DESC, id DESC LIMIT {request.Limit}
            """).ToListAsync(cancellationToken);
        var findings = await FindingQueries.OpenAsync(db, 500, cancellationToken);
        return new ReconciliationOverviewResponse(runs, findings);
    }
}

internal static class FindingQueries
{
    public static Task<List<ReconciliationFindingRow>> OpenAsync(IBillingDbContext db, int limit, CancellationToken ct) =>
        db.Database.SqlQuery<ReconciliationFindingRow>(
            $"""
            SELECT id AS "Id", source AS "Source", kind AS "Kind", object_key AS "ObjectKey", user_id AS "UserId", expected AS "Expected",
                   actual AS "Actual", status AS "Status", created_at AS "CreatedAt", last_seen_at AS "LastSeenAt",
                   resolved_by AS "ResolvedBy", resolved_at AS "ResolvedAt"
            FROM reconciliation_findings WHERE status = 'open' ORDER BY created_at DESC, id DESC LIMIT {limit}
            """).ToListAsync(ct);

    public static async Task<ReconciliationFindingRow?> FindAsync(IBillingDbContext db, Guid id, CancellationToken ct) =>
        (await db.Database.SqlQuery<ReconciliationFindingRow>(
            $"""
            SELECT id AS "Id", source AS "Source", kind AS "Kind", object_key AS "ObjectKey", user_id AS "UserId", expected AS "Expected",
                   actual AS "Actual", status AS "Status", created_at AS "CreatedAt", last_seen_at AS "LastSeenAt",
                   resolved_by AS "ResolvedBy", resolved_at AS "ResolvedAt"
            FROM reconciliation_findings WHERE id = {id}
            """).ToListAsync(ct)).SingleOrDefault();
}
