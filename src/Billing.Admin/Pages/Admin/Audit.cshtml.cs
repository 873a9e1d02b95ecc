using Billing.Application.Audit.ListAuditLog;
using MediatR;

namespace Billing.Admin.Pages.Admin;

public sealed class AuditModel(IMediator mediator) : ConsolePageModel(mediator)
{
    public override string Section => "audit";

    public string? Actor { get; private set; }

    public string? ObjectId { get; private set; }

    public AuditLogPage Log { get; private set; } = null!;

    public async Task OnGetAsync(string? actor, string? @object, long? before)
    {
        Actor = Clip(actor, 400);
        ObjectId = Clip(@object, 400);
        Log = await Mediator.Send(new ListAuditLogQuery(Actor, null, ObjectId, before, 100), HttpContext.RequestAborted);
    }

    private static string? Clip(string? value, int max) => string.IsNullOrWhiteSpace(value) ? null : value.Trim()[..Math.Min(max, value.Trim().Length)];
}
