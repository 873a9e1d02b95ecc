using Billing.Application.OperatorConsole.UserTimeline;
using MediatR;

namespace Billing.Admin.Pages.Admin;

public sealed class UserModel(IMediator mediator) : GrantActionsPageModel(mediator)
{
    public override string Section => "search";

    public UserTimeline Timeline { get; private set; } = null!;

    public async Task OnGetAsync(string userId) => Timeline = await Mediator.Send(new GetUserTimelineQuery(userId), HttpContext.RequestAborted);
}
