using Billing.Application.Grants.ListGrants;
using MediatR;

namespace Billing.Admin.Pages.Admin;

public sealed class GrantsModel(IMediator mediator) : GrantActionsPageModel(mediator)
{
    private static readonly string[] Statuses = ["attention", "dead", "in_doubt", "owed_debt", "pending", "delivered"];

    public override string Section => "grants";

    public string Status { get; private set; } = "attention";

    public string? UserFilter { get; private set; }

    public ListGrantsResponse Result { get; private set; } = null!;

    public async Task OnGetAsync(string? status, string? user)
    {
        Status = Statuses.Contains(status) ? status! : "attention";
        UserFilter = string.IsNullOrWhiteSpace(user) ? null : user.Trim();
        Result = await Mediator.Send(new ListGrantsQuery(Status, UserFilter, 200), HttpContext.RequestAborted);
    }
}
