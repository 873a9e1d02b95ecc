using Billing.Application.Attention.GetAttentionList;
using Billing.Application.Attention.ResolveAttentionItem;
using Billing.Application.Audit;
using Billing.Application.Grants.ConfirmGrant;
using Billing.Application.Grants.ListGrants;
using Billing.Application.Grants.RequeueGrant;
using Billing.Application.Grants.RequeueGrants;
using Billing.Application.Inbox.ListInboxEvents;
using Billing.Application.Inbox.RequeueInboxEvent;
using MediatR;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api.Endpoints;

internal static class OperatorEndpoints
{
    public static RouteGroupBuilder MapOperatorEndpoints(this RouteGroupBuilder group)
    {
        group.MapGet("/grants", async (string? status, string? userId, int? limit, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ListGrantsQuery(status, userId, limit ?? 100), ct)))
            .WithName("ListGrants")
            .WithSummary("Grants by status; by default the ones that need an operator (dead, in_doubt, owed_debt).");
        group.MapPost("/grants/requeue", async (string? status, string? userId, int? limit, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new RequeueGrantsCommand(status ?? "", userId, limit ?? 500), ct)))
            .WithName("RequeueGrants")
            .WithSummary("Send every dead, in-doubt (checked: none applied) or owed-debt grant round again, optionally one user's; oldest first, up to limit.");
        group.MapPost("/grants/{grantKey}/requeue", async (string grantKey, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new RequeueGrantCommand(grantKey), ct)))
            .WithName("RequeueGrant")
            .WithSummary("Send a dead, in-doubt (checked: not applied) or owed-debt grant round again.");
        group.MapPost("/grants/{grantKey}/confirm", async (string grantKey, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ConfirmGrantCommand(grantKey), ct)))
            .WithName("ConfirmGrant")
            .WithSummary("Close an in-doubt grant that was checked and found applied in Flash.");
        group.MapGet("/attention", async (int? limit, string? cursor, string? kind, [FromQuery(Name = "user_id")] string? userId, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetAttentionListQuery(limit ?? GetAttentionListQuery.DefaultLimit, cursor, kind, userId), ct)))
            .WithName("GetAttentionList")
            .WithSummary("Everything that needs a person, newest first, each with its reason and the routes that act on it (limit, cursor, kind, user_id).");
        group.MapPost("/attention/{id:guid}/resolve", async (Guid id, ResolveAttentionItemRequest? body, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ResolveAttentionItemCommand(id, new AuditContext(AuditContext.AdminKey, body?.Reason ?? "")), ct)))
            .WithName("ResolveAttentionItem")
            .WithSummary("Close an attention item once handled, with a reason (audited; 404 unknown, 409 already resolved); it leaves the list until raised again.");
        group.MapGet("/inbox", async (string? status, int? limit, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ListInboxEventsQuery(status, limit ?? 100), ct)))
            .WithName("ListInboxEvents")
            .WithSummary("Inbox events that need an operator: failed (parked) and stale (received over 10 minutes ago), or ?status=failed|stale.");
        group.MapPost("/inbox/{id:long}/requeue", async (long id, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new RequeueInboxEventCommand(id), ct)))
            .WithName("RequeueInboxEvent")
            .WithSummary("Process a failed or stale inbox event again now, with a fresh retry budget (409 when processed or ignored).");
        return group;
    }
}

/// <summary>Body of <c>POST /internal/billing/admin/attention/{id}/resolve</c>: why it is resolved (required; audited).</summary>
internal sealed record ResolveAttentionItemRequest(string? Reason);
