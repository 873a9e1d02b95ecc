using Billing.Application.Abstractions.Messaging;
using Billing.Application.Abstractions.Persistence;
using Billing.Application.Audit;
using Billing.Application.Inbox.ListInboxEvents;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Billing.Application.Inbox.RequeueInboxEvent;

/// <summary>The console's and the CLI's requeue of a failed or stale event: <see cref="RequeueInboxEventCommand"/> plus an audit line, in one transaction.</summary>
public sealed record AuditedRequeueInboxEventCommand(long InboxEventId, AuditContext By) : ICommand<OperatorInboxEventResponse>;

internal sealed class AuditedRequeueInboxEventCommandValidator : AbstractValidator<AuditedRequeueInboxEventCommand>
{
    public AuditedRequeueInboxEventCommandValidator()
    {
        RuleFor(c => c.InboxEventId).GreaterThan(0);
        RuleFor(c => c.By).MustBeAuditable();
    }
}

internal sealed class AuditedRequeueInboxEventCommandHandler(IBillingDbContext db, IMediator mediator, TimeProvider clock)
    : IRequestHandler<AuditedRequeueInboxEventCommand, OperatorInboxEventResponse>
{
    public async Task<OperatorInboxEventResponse> Handle(AuditedRequeueInboxEventCommand request, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var before = (await db.InboxEvents.AsNoTracking().SingleOrDefaultAsync(e => e.Id == request.InboxEventId, cancellationToken))?.ToOperatorResponse(now);
        var after = await mediator.Send(new RequeueInboxEventCommand(request.InboxEventId), cancellationToken);
        db.Audit(request.By, "inbox.requeue", "inbox_event", $"{after.Provider}:{after.EventId}", before, after, now);
        return after;
    }
}
