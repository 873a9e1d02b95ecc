using Microsoft.AspNetCore.Http;
using Billing.Admin.Security;
using Billing.Application.Operators.SignInOperator;
using MediatR;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Admin.Pages.Admin;

public sealed class SignInModel(IMediator mediator, TimeProvider clock) : ConsolePageModel(mediator)
{
    public override string Section => "sign-in";

    public string? Error { get; private set; }

    public string? Email { get; private set; }

    public string ReturnUrl { get; private set; } = ConsoleEndpoints.BasePath;

    public void OnGet(string? returnUrl) => ReturnUrl = SafeReturnUrl(returnUrl);

    public async Task<IActionResult> OnPostAsync(string? email, string? password, string? returnUrl)
    {
        ReturnUrl = SafeReturnUrl(returnUrl);
        Email = email;
        var result = await Mediator.Send(new SignInOperatorCommand(email ?? "", password ?? ""), HttpContext.RequestAborted);
        switch (result.Outcome)
        {
            case SignInOutcome.SignedIn:
                var now = clock.GetUtcNow();
                await HttpContext.SignInAsync(ConsoleAuth.Scheme, ConsoleAuth.Principal(result.Operator!), new AuthenticationProperties
                {
                    IsPersistent = true,
                    IssuedUtc = now,
                    ExpiresUtc = now + ConsoleAuth.SessionLifetime,
                    AllowRefresh = false,
                });
                return LocalRedirect(ReturnUrl);
            case SignInOutcome.LockedOut:
                Error = "Too many failed sign-ins: this account is locked for 15 minutes. An admin can unlock it sooner.";
                break;
            default:
                // Unknown email, wrong password and a disabled account read the same to whoever is trying.
                Error = "Email or password is not right.";
                break;
        }

        Response.StatusCode = StatusCodes.Status401Unauthorized;
        return Page();
    }

    private static string SafeReturnUrl(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && url.StartsWith(ConsoleEndpoints.BasePath, StringComparison.Ordinal) && !url.StartsWith("//", StringComparison.Ordinal) && !url.Contains('\\', StringComparison.Ordinal)
            ? url
            : ConsoleEndpoints.BasePath;
}
