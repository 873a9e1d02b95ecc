using Billing.Application.Abstractions.Persistence;
using Billing.Application.Abstractions.Telemetry;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Inbox.RecordInboxFailure;

internal sealed class RecordInboxFailureCommandHandler(IBillingDbContext db, TimeProvider clock, BillingMetrics metrics, ILogger<RecordInboxFailureCommandHandler> logger)
    : IRequestHandler<RecordInboxFailureCommand, bool>
{
    public const int MaxAttempts = 12;

    public async Task<bool> Handle(RecordInboxFailureCommand request, CancellationToken cancellationToken)
    {
        var inboxEvent = await db.InboxEvents.SingleOrDefaultAsync(e => e.Id == request.InboxEventId, cancellationToken);
        if (inboxEvent is null || inboxEvent.Status != InboxStatus.Received)
        {
            return false;
        }

        var now = clock.GetUtcNow();
        // 1 s, 2 s, 4 s ... capped at 10 min; a dozen attempts spans about an hour before the row is parked as failed.
        var delay = TimeSpan.FromSeconds(Math.Min(600, Math.Pow(2, inboxEvent.Attempts)));
        inboxEvent.RecordFailure(request.Error, now, now + delay, MaxAttempts);
        metrics.InboxOutcome(inboxEvent.Provider, inboxEvent.EventType, inboxEvent.Status == InboxStatus.Failed ? "failed" : "retry_later");
        if (inboxEvent.Status == InboxStatus.Failed)
        {
            logger.LogError("{Provider} event {EventId} ({EventType}) failed {Attempts} times and is parked: {Error}", inboxEvent.Provider, inboxEvent.EventId, inboxEvent.EventType, inboxEvent.Attempts, request.Error);
        }
        else
        {
            logger.LogWarning("{Provider} event {EventId} ({EventType}) failed (attempt {Attempts}), retry in {Delay}: {Error}", inboxEvent.Provider, inboxEvent.EventId, inboxEvent.EventType, inboxEvent.Attempts, delay, request.Error);
        }

        return true;
    }
}
