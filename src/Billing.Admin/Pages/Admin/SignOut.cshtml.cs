using Billing.Admin.Security;
using MediatR;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Admin.Pages.Admin;

public sealed class SignOutModel(IMediator mediator) : ConsolePageModel(mediator)
{
    public override string Section => "sign-out";

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(ConsoleAuth.Scheme);
        return LocalRedirect(ConsoleEndpoints.BasePath + "/sign-in");
    }
}
