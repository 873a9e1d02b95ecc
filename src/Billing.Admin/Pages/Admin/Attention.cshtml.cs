using Billing.Application.Attention.GetAttentionList;
using Billing.Application.Attention.ResolveAttentionItem;
using Billing.Application.Grants.AuditedGrantActions;
using Billing.Application.Inbox.RequeueInboxEvent;
using MediatR;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Admin.Pages.Admin;

/// <summary>
/// The attention list (the same use case as GET /internal/billing/admin/attention) with its actions: requeue or confirm a
/// grant (inherited), requeue an inbox event, resolve an attention item, and requeue every grant of a status at once.
/// </summary>
public sealed class AttentionModel(IMediator mediator) : GrantActionsPageModel(mediator)
{
    public const int PageSize = 100;

    public static readonly string[] Kinds =
    [
        "grant_dead", "grant_in_doubt", "grant_owed_debt", "inbox_failed", "inbox_stale",
        Application.Abstractions.Attention.AttentionKinds.UnattributableAppleTransaction,
        Application.Abstractions.Attention.AttentionKinds.UnmappedStripePrice,
        Application.Abstractions.Attention.AttentionKinds.SandboxNotGranted,
    ];

    public static readonly string[] BulkStatuses = ["dead", "in_doubt", "owed_debt"];

    public override string Section => "attention";

    public string? Kind { get; private set; }

    public string? UserFilter { get; private set; }

    public string? Cursor { get; private set; }

    public AttentionListResponse Result { get; private set; } = null!;

    public async Task OnGetAsync(string? kind, string? user, string? cursor)
    {
        Filter(kind, user);
        Cursor = string.IsNullOrWhiteSpace(cursor) ? null : cursor;
        try
        {
            Result = await Mediator.Send(new GetAttentionListQuery(PageSize, Cursor, Kind, UserFilter), HttpContext.RequestAborted);
        }
        catch (FluentValidation.ValidationException)
        {
            // A stale or hand-edited cursor: show the first page rather than an error.
            Cursor = null;
            Result = await Mediator.Send(new GetAttentionListQuery(PageSize, null, Kind, UserFilter), HttpContext.RequestAborted);
        }
    }

    public Task<IActionResult> OnPostRequeueEventAsync(long id, string? reason) => Act(
        async () =>
        {
            var e = await Mediator.Send(new AuditedRequeueInboxEventCommand(id, By(reason)), HttpContext.RequestAborted);
            return $"Event {e.Provider}:{e.EventId} requeued: now {e.Status}, processed again shortly.";
        },
        BackToList);

    public Task<IActionResult> OnPostResolveAsync(Guid id, string? reason) => Act(
        async () =>
        {
            var item = await Mediator.Send(new ResolveAttentionItemCommand(id, By(reason)), HttpContext.RequestAborted);
            return $"Resolved {item.Kind} {item.ObjectKey}.";
        },
        BackToList);

    /// <summary>Every grant of one status (optionally one user's), oldest first, each with its own audit line.</summary>
    public Task<IActionResult> OnPostBulkRequeueAsync(string? status, string? bulkUser, string? reason) => Act(
        async () =>
        {
            var user = string.IsNullOrWhiteSpace(bulkUser) ? null : bulkUser.Trim();
            var result = await Mediator.Send(new AuditedRequeueGrantsCommand(status ?? "", user, 500, By(reason)), HttpContext.RequestAborted);
            return $"Requeued {result.Requeued} {status} grant(s){(user is null ? "" : " of " + user)}" + (result.Remaining > 0 ? $"; {result.Remaining} left, requeue again for the rest." : ".");
        },
        BackToList);

    public string PageUrl(string? cursor)
    {
        var query = new QueryBuilder();
        if (Kind is not null)
        {
            query.Add("kind", Kind);
        }

        if (UserFilter is not null)
        {
            query.Add("user", UserFilter);
        }

        if (cursor is not null)
        {
            query.Add("cursor", cursor);
        }

        return "/admin/attention" + query.ToQueryString();
    }

    private IActionResult BackToList()
    {
        Filter(Request.Query["kind"], Request.Query["user"]);
        return Redirect(PageUrl(null));
    }

    private void Filter(string? kind, string? user)
    {
        Kind = Kinds.Contains(kind) ? kind : null;
        UserFilter = string.IsNullOrWhiteSpace(user) ? null : user.Trim()[..Math.Min(255, user.Trim().Length)];
    }
}
