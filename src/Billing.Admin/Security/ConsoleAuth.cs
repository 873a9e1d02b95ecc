using System.Security.Claims;
using Billing.Application.Operators;
using Billing.Application.Operators.GetOperator;
using MediatR;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.Admin.Security;

/// <summary>The console's cookie session and its role policies (docs/decisions/0026).</summary>
internal static class ConsoleAuth
{
    public const string Scheme = "BillingConsole";
    public const string CookieName = "billing_console";
    public const string ViewerPolicy = "console.viewer";
    public const string OperatorPolicy = "console.operator";
    public const string AdminPolicy = "console.admin";
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(8);

    public static ClaimsPrincipal Principal(OperatorResponse account) => new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, account.Id.ToString()),
            new Claim(ClaimTypes.Name, account.Email),
            new Claim(ClaimTypes.Role, account.Role),
        ],
        Scheme,
        ClaimTypes.Name,
        ClaimTypes.Role));

    public static bool MayAct(this ClaimsPrincipal user) => user.IsInRole("operator") || user.IsInRole("admin");

    public static bool IsAdmin(this ClaimsPrincipal user) => user.IsInRole("admin");

    /// <summary>
    /// Every request re-reads the operator: a disabled or deleted account loses its session at once, and a changed role
    /// takes effect without signing in again.
    /// </summary>
    public static async Task ValidatePrincipal(CookieValidatePrincipalContext context)
    {
        if (!Guid.TryParse(context.Principal?.FindFirstValue(ClaimTypes.NameIdentifier), out var id))
        {
            await Reject(context);
            return;
        }

        var mediator = context.HttpContext.RequestServices.GetRequiredService<IMediator>();
        var account = await mediator.Send(new GetOperatorQuery(id), context.HttpContext.RequestAborted);
        if (account is null || account.Disabled)
        {
            await Reject(context);
            return;
        }

        if (!context.Principal!.IsInRole(account.Role))
        {
            context.ReplacePrincipal(Principal(account));
            context.ShouldRenew = true;
        }
    }

    private static async Task Reject(CookieValidatePrincipalContext context)
    {
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(Scheme);
    }
}
