using Billing.Application.OperatorConsole.Overview;
using MediatR;

namespace Billing.Admin.Pages.Admin;

public sealed class OverviewModel(IMediator mediator) : ConsolePageModel(mediator)
{
    public override string Section => "overview";

    public ConsoleOverview Overview { get; private set; } = null!;

    public int NeedingAttention => new[] { "dead", "in_doubt", "owed_debt" }.Sum(s => Overview.GrantsByStatus.GetValueOrDefault(s));

    public async Task OnGetAsync() => Overview = await Mediator.Send(new GetConsoleOverviewQuery(), HttpContext.RequestAborted);
}
