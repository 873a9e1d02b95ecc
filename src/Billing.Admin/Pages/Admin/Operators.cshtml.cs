using Billing.Application.Operators;
using Billing.Application.Operators.AddOperator;
using Billing.Application.Operators.DisableOperator;
using Billing.Application.Operators.EnableOperator;
using Billing.Application.Operators.ListOperators;
using MediatR;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Admin.Pages.Admin;

/// <summary>Admins only (page convention and every handler): manage who may sign in.</summary>
public sealed class OperatorsModel(IMediator mediator) : ConsolePageModel(mediator)
{
    public override string Section => "operators";

    public IReadOnlyList<OperatorResponse> Accounts { get; private set; } = [];

    public async Task OnGetAsync() => Accounts = await Mediator.Send(new ListOperatorsQuery(), HttpContext.RequestAborted);

    public Task<IActionResult> OnPostAddAsync(string? email, string? role, string? password, string? reason) => Act(
        async () =>
        {
            var added = await Mediator.Send(new AddOperatorCommand(email ?? "", role ?? "", password ?? "", By(reason)), HttpContext.RequestAborted);
            return $"Operator {added.Email} added as {added.Role}.";
        },
        Back,
        adminOnly: true);

    public Task<IActionResult> OnPostDisableAsync(string? email, string? reason) => Act(
        async () =>
        {
            var disabled = await Mediator.Send(new DisableOperatorCommand(email ?? "", By(reason)), HttpContext.RequestAborted);
            return $"Operator {disabled.Email} disabled.";
        },
        Back,
        adminOnly: true);

    public Task<IActionResult> OnPostEnableAsync(string? email, string? reason) => Act(
        async () =>
        {
            var enabled = await Mediator.Send(new EnableOperatorCommand(email ?? "", By(reason)), HttpContext.RequestAborted);
            return $"Operator {enabled.Email} enabled.";
        },
        Back,
        adminOnly: true);

    private IActionResult Back() => Redirect("/admin/operators");
}
