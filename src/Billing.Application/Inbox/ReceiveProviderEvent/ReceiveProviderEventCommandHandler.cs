using System.Diagnostics;
using Billing.Application.Abstractions.Persistence;
using Billing.Application.Abstractions.Telemetry;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Inbox.ReceiveProviderEvent;

internal sealed partial class ReceiveProviderEventCommandHandler(IBillingDbContext db, TimeProvider clock, BillingMetrics metrics, ILogger<ReceiveProviderEventCommandHandler> logger)
    : IRequestHandler<ReceiveProviderEventCommand, ReceiveProviderEventResult>
{
    public async Task<ReceiveProviderEventResult> Handle(ReceiveProviderEventCommand request, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();

        // The intake span's context is kept with the row, so processing (later, in a worker) continues the same trace.
        var traceParent = Activity.Current?.Id;

        // One atomic statement: concurrent deliveries of one event never fail each other's transaction. A redelivery of an
        // event parked as failed resets it for processing with a fresh budget (the provider is telling us it still matters);
        // any other redelivery changes nothing. xmax = 0 tells a fresh insert from that reset; no row means a plain duplicate.
        var written = await db.Database.SqlQuery<bool>(
            $"""
            INSERT INTO inbox_events (provider, event_id, event_type, payload, provider_created_at, received_at, status, attempts, next_attempt_at, trace_parent)
            VALUES ({request.Provider}, {request.EventId}, {request.EventType}, {request.Payload}, {request.ProviderCreatedAt}, {now}, 'received', 0, {now}, {traceParent})
            ON CONFLICT (provider, event_id) DO UPDATE SET status = 'received', attempts = 0, next_attempt_at = {now}, retries_reset_at = {now}
                WHERE inbox_events.status = 'failed'
            RETURNING (xmax = 0) AS "Value"
            """).ToListAsync(cancellationToken);

        var inserted = written is [true];
        metrics.WebhookStored(request.Provider, request.EventType, duplicate: !inserted);
        if (written is [false])
        {
            logger.LogWarning("{Provider} event {EventId} ({EventType}) was parked as failed and is delivered again: reset for processing", request.Provider, request.EventId, request.EventType);
        }
        else if (!inserted)
        {
            LogDuplicate(request.Provider, request.EventId, request.EventType);
        }
        else
        {
            LogStored(request.Provider, request.EventId, request.EventType);
        }

        return new ReceiveProviderEventResult(Duplicate: !inserted);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Provider} event {EventId} ({EventType}) was already received; acknowledged again")]
    private partial void LogDuplicate(string provider, string eventId, string eventType);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Provider} event {EventId} ({EventType}) stored in the inbox")]
    private partial void LogStored(string provider, string eventId, string eventType);
}
