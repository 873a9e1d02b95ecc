using Billing.Application.OperatorConsole.Search;
using MediatR;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Admin.Pages.Admin;

public sealed class SearchModel(IMediator mediator) : ConsolePageModel(mediator)
{
    public override string Section => "search";

    public string? Term { get; private set; }

    public SearchResults? Results { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? q)
    {
        Term = q?.Trim();
        if (string.IsNullOrEmpty(Term) || Term.Length > 255)
        {
            return Page();
        }

        Results = await Mediator.Send(new SearchBillingQuery(Term), HttpContext.RequestAborted);

        // Everything found belongs to one user: open that user's timeline straight away.
        return Results.SingleUserId is { } userId ? Redirect($"/admin/users/{Uri.EscapeDataString(userId)}") : Page();
    }
}
