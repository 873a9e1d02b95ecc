using Billing.Application.Abstractions.Persistence;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Billing.Application.Inbox.ProcessInboxEvent;

/// <summary>Prepares the event outside any transaction (the provider calls), then applies it in one unit of work.</summary>
internal sealed class ProcessInboxEventCommandHandler(IBillingDbContext db, IEnumerable<IProviderEventProcessor> processors, IMediator mediator)
    : IRequestHandler<ProcessInboxEventCommand, ProcessInboxEventResult>
{
    public async Task<ProcessInboxEventResult> Handle(ProcessInboxEventCommand request, CancellationToken cancellationToken)
    {
        // A plain read: no lock is held while the provider is asked. The apply step re-reads the row under its lock.
        var inboxEvent = await db.InboxEvents.AsNoTracking()
            .SingleOrDefaultAsync(e => e.Id == request.InboxEventId && e.Status == InboxStatus.Received, cancellationToken);
        if (inboxEvent is null)
        {
            return ProcessInboxEventResult.NotDue;
        }

        var processor = processors.FirstOrDefault(p => p.Provider == inboxEvent.Provider);
        var prepared = processor is null ? null : await processor.PrepareAsync(inboxEvent, cancellationToken);
        return await mediator.Send(new ApplyInboxEventCommand(inboxEvent.Id, prepared), cancellationToken);
    }

}
