using Billing.Application.Abstractions.Persistence;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Inbox.ReceiveProviderEvent;

internal sealed class ReceiveProviderEventCommandHandler(IBillingDbContext db, TimeProvider clock, ILogger<ReceiveProviderEventCommandHandler> logger)
    : IRequestHandler<ReceiveProviderEventCommand, ReceiveProviderEventResult>
{
    public async Task<ReceiveProviderEventResult> Handle(ReceiveProviderEventCommand request, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();

        // ON CONFLICT DO NOTHING: concurrent deliveries of one event never fail each other's transaction; the loser sees 0 rows.
        var inserted = await db.Database.ExecuteSqlInterpolatedAsync(
            $"""
            INSERT INTO inbox_events (provider, event_id, event_type, payload, provider_created_at, received_at, status, attempts, next_attempt_at)
            VALUES ({request.Provider}, {request.EventId}, {request.EventType}, {request.Payload}, {request.ProviderCreatedAt}, {now}, 'received', 0, {now})
            ON CONFLICT (provider, event_id) DO NOTHING
            """,
            cancellationToken);

        if (inserted == 0)
        {
            logger.LogInformation("{Provider} event {EventId} ({EventType}) was already received; acknowledged again", request.Provider, request.EventId, request.EventType);
        }
        else
        {
            logger.LogInformation("{Provider} event {EventId} ({EventType}) stored in the inbox", request.Provider, request.EventId, request.EventType);
        }

        return new ReceiveProviderEventResult(Duplicate: inserted == 0);
    }
}
