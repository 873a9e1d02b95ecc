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

        // ON CONFLICT DO NOTHING: concurrent deliveries of one event never fail each other's transaction; the loser sees 0 rows.
        var inserted = await db.Database.ExecuteSqlInterpolatedAsync(
            $"""
            INSERT INTO inbox_events (provider, event_id, event_type, payload, provider_created_at, received_at, status, attempts, next_attempt_at, trace_parent)
            VALUES ({request.Provider}, {request.EventId}, {request.EventType}, {request.Payload}, {request.ProviderCreatedAt}, {now}, 'received', 0, {now}, {traceParent})
            ON CONFLICT (provider, event_id) DO NOTHING
            """,
            cancellationToken);

        metrics.WebhookStored(request.Provider, request.EventType, duplicate: inserted == 0);
        if (inserted == 0)
        {
            LogDuplicate(request.Provider, request.EventId, request.EventType);
        }
        else
        {
            LogStored(request.Provider, request.EventId, request.EventType);
        }

        return new ReceiveProviderEventResult(Duplicate: inserted == 0);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Provider} event {EventId} ({EventType}) was already received; acknowledged again")]
    private partial void LogDuplicate(string provider, string eventId, string eventType);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Provider} event {EventId} ({EventType}) stored in the inbox")]
    private partial void LogStored(string provider, string eventId, string eventType);
}
