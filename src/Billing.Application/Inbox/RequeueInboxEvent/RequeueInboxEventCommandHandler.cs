using Billing.Application.Abstractions.Persistence;
using Billing.Application.Common;
using Billing.Application.Inbox.ListInboxEvents;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Inbox.RequeueInboxEvent;

internal sealed class RequeueInboxEventCommandHandler(IBillingDbContext db, TimeProvider clock, ILogger<RequeueInboxEventCommandHandler> logger)
    : IRequestHandler<RequeueInboxEventCommand, OperatorInboxEventResponse>
{
    public async Task<OperatorInboxEventResponse> Handle(RequeueInboxEventCommand request, CancellationToken cancellationToken)
    {
        var inboxEvent = await db.InboxEvents.SingleOrDefaultAsync(e => e.Id == request.InboxEventId, cancellationToken)
            ?? throw new NotFoundException("inbox_event.not_found", "No inbox event has this id.");
        var previous = inboxEvent.Status;
        var now = clock.GetUtcNow();
        inboxEvent.Requeue(now);
        logger.LogWarning("Operator requeued {Provider} event {EventId} ({EventType}) from {PreviousStatus}", inboxEvent.Provider, inboxEvent.EventId, inboxEvent.EventType, previous);
        return inboxEvent.ToOperatorResponse(now);
    }
}
