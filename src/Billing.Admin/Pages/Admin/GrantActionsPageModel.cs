using Billing.Application.Grants.AuditedGrantActions;
using MediatR;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Admin.Pages.Admin;

/// <summary>A page that shows grants offers requeue and confirm (audited, operators only), then comes back to itself.</summary>
public abstract class GrantActionsPageModel(IMediator mediator) : ConsolePageModel(mediator)
{
    public Task<IActionResult> OnPostRequeueAsync(string grantKey, string? reason) => Act(
        async () =>
        {
            var grant = await Mediator.Send(new AuditedRequeueGrantCommand(grantKey, By(reason)), HttpContext.RequestAborted);
            return $"Grant {grant.GrantKey} requeued: now {grant.Status}.";
        },
        Back);

    public Task<IActionResult> OnPostConfirmAsync(string grantKey, string? reason) => Act(
        async () =>
        {
            var grant = await Mediator.Send(new AuditedConfirmGrantCommand(grantKey, By(reason)), HttpContext.RequestAborted);
            return $"Grant {grant.GrantKey} confirmed as applied: now {grant.Status}.";
        },
        Back);

    private IActionResult Back() => Redirect(Request.Path + Request.QueryString.Value?.Replace("handler=Requeue", "", StringComparison.Ordinal).Replace("handler=Confirm", "", StringComparison.Ordinal).TrimEnd('?', '&'));
}
