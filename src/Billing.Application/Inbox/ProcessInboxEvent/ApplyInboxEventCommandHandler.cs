using Billing.Application.Abstractions.Persistence;
using Billing.Application.Abstractions.Telemetry;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Inbox.ProcessInboxEvent;

internal sealed partial class ApplyInboxEventCommandHandler(
    IBillingDbContext db,
    IEnumerable<IProviderEventProcessor> processors,
    TimeProvider clock,
    BillingMetrics metrics,
    ILogger<ApplyInboxEventCommandHandler> logger)
    : IRequestHandler<ApplyInboxEventCommand, ProcessInboxEventResult>
{
    public async Task<ProcessInboxEventResult> Handle(ApplyInboxEventCommand request, CancellationToken cancellationToken)
    {
        // The row lock is held until the unit of work commits: one instance processes an event, the others skip it.
        var inboxEvent = await db.InboxEvents
            .FromSqlInterpolated($"SELECT i.*, i.xmin FROM inbox_events i WHERE i.id = {request.InboxEventId} AND i.status = 'received' FOR UPDATE SKIP LOCKED")
            .SingleOrDefaultAsync(cancellationToken);
        if (inboxEvent is null)
        {
            return ProcessInboxEventResult.NotDue;
        }

        var now = clock.GetUtcNow();
        var processor = processors.FirstOrDefault(p => p.Provider == inboxEvent.Provider);
        if (processor is null)
        {
            inboxEvent.MarkIgnored($"no processor for provider '{inboxEvent.Provider}'", now);
            return ProcessInboxEventResult.Ignored;
        }

        var (outcome, reason) = await processor.ProcessAsync(inboxEvent, request.Prepared, cancellationToken);
        if (outcome == InboxOutcome.Ignored)
        {
            inboxEvent.MarkIgnored(reason ?? "ignored", clock.GetUtcNow());
            metrics.InboxOutcome(inboxEvent.Provider, inboxEvent.EventType, "ignored");
            LogIgnored(inboxEvent.Provider, inboxEvent.EventId, inboxEvent.EventType, reason);
            return ProcessInboxEventResult.Ignored;
        }

        inboxEvent.MarkProcessed(clock.GetUtcNow());
        metrics.InboxOutcome(inboxEvent.Provider, inboxEvent.EventType, "processed");
        LogProcessed(inboxEvent.Provider, inboxEvent.EventId, inboxEvent.EventType);
        return ProcessInboxEventResult.Processed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Provider} event {EventId} ({EventType}) recorded and ignored: {Reason}")]
    private partial void LogIgnored(string provider, string eventId, string eventType, string? reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Provider} event {EventId} ({EventType}) processed")]
    private partial void LogProcessed(string provider, string eventId, string eventType);
}
