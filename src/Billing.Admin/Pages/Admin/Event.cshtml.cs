using Billing.Application.Inbox.GetInboxEvent;
using Billing.Application.Inbox.ReplayInboxEvent;
using MediatR;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Admin.Pages.Admin;

public sealed class EventModel(IMediator mediator, InboxReplayer replayer) : ConsolePageModel(mediator)
{
    public override string Section => "events";

    public InboxEventDetail Detail { get; private set; } = null!;

    public async Task OnGetAsync(long id) => Detail = await Mediator.Send(new GetInboxEventQuery(id), HttpContext.RequestAborted);

    public Task<IActionResult> OnPostReplayAsync(long id, string? reason) => Act(
        async () =>
        {
            var replayed = await replayer.ReplayAsync(id, By(reason), HttpContext.RequestAborted);
            return $"Event {replayed.Id} replayed: now {replayed.Status}{(replayed.LastError is null ? "" : $" ({replayed.LastError})")}.";
        },
        () => Redirect($"/admin/events/{id}"));
}
