using Billing.Application.Audit;
using Billing.Application.Reconciliation;
using Billing.Application.Reconciliation.GetReconciliation;
using Billing.Application.Reconciliation.ResolveFinding;
using Billing.Application.Reconciliation.RunReconciliation;
using Billing.Domain.Common;
using MediatR;

namespace Billing.Api.Endpoints;

/// <summary>Reconciliation behind the admin key, next to the other operator routes; runs and resolutions are audited as <c>admin-api</c>.</summary>
internal static class ReconciliationEndpoints
{
    public const string Actor = "admin-api";

    public static RouteGroupBuilder MapReconciliationEndpoints(this RouteGroupBuilder group)
    {
        group.MapPost("/reconcile", async (string? source, string? since, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "dry_run")] bool? dryRun, string? reason, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(
                    new RunReconciliationCommand(source ?? "", ParseSince(since), dryRun ?? false, new AuditContext(Actor, reason ?? "on demand (admin route)"), ReconciliationTriggers.Api),
                    ct)))
            .WithName("RunReconciliation")
            .WithSummary("Reconcile one source now (source=stripe|apple|flash, since=72h, dry_run, reason): missed events stored and processed, the rest raised as findings; status skipped when a run is already going.");
        group.MapGet("/reconciliation", async (int? limit, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetReconciliationQuery(limit ?? 20), ct)))
            .WithName("GetReconciliation")
            .WithSummary("The last reconciliation runs (newest first) and the open findings.");
        group.MapPost("/reconciliation/findings/{id:guid}/resolve", async (Guid id, string? reason, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ResolveReconciliationFindingCommand(id, new AuditContext(Actor, reason ?? "")), ct)))
            .WithName("ResolveReconciliationFinding")
            .WithSummary("Close an open finding that was dealt with (reason required; audited).");
        return group;
    }

    private static TimeSpan? ParseSince(string? since) =>
        string.IsNullOrWhiteSpace(since) ? null
        : Durations.TryParse(since, out var value) ? value
        : throw new InvalidDomainValueException("reconciliation.since_invalid", "since is a duration such as 72h, 30m or 7d.");
}
