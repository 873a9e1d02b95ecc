using Billing.Application.Abstractions.Persistence;
using Billing.Application.Audit;
using Billing.Application.Common;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Billing.Application.Inbox.ReplayInboxEvent;

internal sealed class ReplayInboxEventCommandHandler(IBillingDbContext db, TimeProvider clock) : IRequestHandler<ReplayInboxEventCommand, InboxEventSummary>
{
    public async Task<InboxEventSummary> Handle(ReplayInboxEventCommand request, CancellationToken cancellationToken)
    {
        var inboxEvent = await db.InboxEvents.SingleOrDefaultAsync(e => e.Id == request.InboxEventId, cancellationToken)
            ?? throw new NotFoundException("inbox_event.not_found", "No stored event has this id.");
        var now = clock.GetUtcNow();
        var before = inboxEvent.ToSummary();
        inboxEvent.Replay(now);
        var after = inboxEvent.ToSummary();
        db.Audit(request.By, "inbox.replay", "inbox_event", $"{inboxEvent.Provider}:{inboxEvent.EventId}", before, after, now);
        return after;
    }
}
