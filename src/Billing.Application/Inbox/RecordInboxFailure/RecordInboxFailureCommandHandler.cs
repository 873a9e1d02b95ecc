using Billing.Application.Abstractions.Persistence;
using Billing.Application.Abstractions.Telemetry;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Inbox.RecordInboxFailure;

internal sealed class RecordInboxFailureCommandHandler(
    IBillingDbContext db,
    InboxRetryPolicy policy,
    TimeProvider clock,
    BillingMetrics metrics,
    ILogger<RecordInboxFailureCommandHandler> logger)
    : IRequestHandler<RecordInboxFailureCommand, bool>
{
    public async Task<bool> Handle(RecordInboxFailureCommand request, CancellationToken cancellationToken)
    {
        var inboxEvent = await db.InboxEvents.SingleOrDefaultAsync(e => e.Id == request.InboxEventId, cancellationToken);
        if (inboxEvent is null || inboxEvent.Status != InboxStatus.Received)
        {
            return false;
        }

        var now = clock.GetUtcNow();
        inboxEvent.RecordFailure(request.Error, now, policy);
        metrics.InboxOutcome(inboxEvent.Provider, inboxEvent.EventType, inboxEvent.Status == InboxStatus.Failed ? "failed" : "retry_later");
        if (inboxEvent.Status == InboxStatus.Failed)
        {
            // Parked, not dropped: listed by GET /internal/billing/admin/inbox, counted in /health/ready, requeueable,
            // and reset by the provider's next redelivery.
            logger.LogError("{Provider} event {EventId} ({EventType}) failed {Attempts} times and is parked for an operator: {Error}", inboxEvent.Provider, inboxEvent.EventId, inboxEvent.EventType, inboxEvent.Attempts, request.Error);
        }
        else
        {
            logger.LogWarning("{Provider} event {EventId} ({EventType}) failed (attempt {Attempts}), retry at {RetryAt:O}: {Error}", inboxEvent.Provider, inboxEvent.EventId, inboxEvent.EventType, inboxEvent.Attempts, inboxEvent.NextAttemptAt, request.Error);
        }

        return true;
    }
}
