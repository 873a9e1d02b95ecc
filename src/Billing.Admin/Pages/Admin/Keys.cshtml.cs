using Billing.Application.ApiKeys.OperatorRevokeApiKey;
using Billing.Application.ApiKeys.SearchApiKeys;
using MediatR;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Admin.Pages.Admin;

/// <summary>Developer keys: search by key id, owner or shown suffix; revoke (operators, with a reason, audited). No secret is ever shown.</summary>
public sealed class KeysModel(IMediator mediator) : ConsolePageModel(mediator)
{
    public override string Section => "keys";

    public string? Query { get; private set; }

    public ApiKeySearchResponse Result { get; private set; } = null!;

    public async Task OnGetAsync(string? q)
    {
        Query = string.IsNullOrWhiteSpace(q) ? null : q.Trim()[..Math.Min(255, q.Trim().Length)];
        try
        {
            Result = await Mediator.Send(new SearchApiKeysQuery(Query), HttpContext.RequestAborted);
        }
        catch (Domain.Common.InvalidDomainValueException invalid)
        {
            FlashError = invalid.Message;
            Result = new ApiKeySearchResponse([]);
        }
    }

    public Task<IActionResult> OnPostRevokeAsync(string keyId, string? reason, string? q) => Act(
        async () =>
        {
            var key = await Mediator.Send(new OperatorRevokeApiKeyCommand(keyId ?? "", By(reason)), HttpContext.RequestAborted);
            return $"Key {key.Id} ({key.Display}) of {key.OwnerId} revoked: it stops working on every instance at once.";
        },
        () => Redirect("/admin/keys" + (string.IsNullOrWhiteSpace(q) ? "" : "?q=" + Uri.EscapeDataString(q.Trim()))));
}
