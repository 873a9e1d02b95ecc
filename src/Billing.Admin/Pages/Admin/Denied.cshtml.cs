using Microsoft.AspNetCore.Http;
using MediatR;

namespace Billing.Admin.Pages.Admin;

public sealed class DeniedModel(IMediator mediator) : ConsolePageModel(mediator)
{
    public override string Section => "denied";

    public void OnGet() => Response.StatusCode = StatusCodes.Status403Forbidden;
}
