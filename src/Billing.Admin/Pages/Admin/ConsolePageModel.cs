using System.Security.Claims;
using Billing.Admin.Security;
using Billing.Application.Audit;
using Billing.Application.Common;
using Billing.Domain.Common;
using FluentValidation;
using MediatR;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Billing.Admin.Pages.Admin;

/// <summary>What every console page shares: the mediator, who is signed in, and how an action reports back.</summary>
public abstract class ConsolePageModel(IMediator mediator) : PageModel
{
    protected IMediator Mediator { get; } = mediator;

    [TempData]
    public string? Flash { get; set; }

    [TempData]
    public string? FlashError { get; set; }

    public string OperatorEmail => User.FindFirstValue(ClaimTypes.Name) ?? "";

    public bool MayAct => User.MayAct();

    public bool IsAdmin => User.IsAdmin();

    /// <summary>The section the layout marks as current in the navigation.</summary>
    public abstract string Section { get; }

    protected AuditContext By(string? reason) => new(AuditContext.Console(OperatorEmail), reason ?? "");

    /// <summary>
    /// Runs a state change for an operator (viewers get 403), then redirects back (post/redirect/get) with a message.
    /// What the operator can get wrong (no reason, a refused transition) comes back as a message, not an error page.
    /// </summary>
    protected async Task<IActionResult> Act(Func<Task<string>> action, Func<IActionResult> back, bool adminOnly = false)
    {
        if (adminOnly ? !IsAdmin : !MayAct)
        {
            return Forbid();
        }

        try
        {
            Flash = await action();
        }
        catch (ValidationException validation)
        {
            FlashError = validation.Errors.Any() ? string.Join(" ", validation.Errors.Select(e => e.ErrorMessage).Distinct()) : validation.Message;
        }
        catch (DomainException rule)
        {
            FlashError = rule.Message;
        }
        catch (NotFoundException notFound)
        {
            FlashError = notFound.Message;
        }

        return back();
    }
}
