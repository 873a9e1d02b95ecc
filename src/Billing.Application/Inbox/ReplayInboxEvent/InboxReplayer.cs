using Billing.Application.Abstractions.Persistence;
using Billing.Application.Audit;
using Billing.Application.Common;
using Billing.Application.Inbox.ProcessInboxEvent;
using Billing.Application.Inbox.RecordInboxFailure;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.Application.Inbox.ReplayInboxEvent;

/// <summary>
/// Replays one stored event now: marks it due (audited), then processes it exactly as the inbox processor does, each step in
/// its own scope and transaction, recording a failure like the processor would. The answer is the event's state afterwards.
/// </summary>
public sealed class InboxReplayer(IServiceScopeFactory scopes)
{
    public async Task<InboxEventSummary> ReplayAsync(long inboxEventId, AuditContext by, CancellationToken cancellationToken)
    {
        await using (var scope = scopes.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new ReplayInboxEventCommand(inboxEventId, by), cancellationToken);
        }

        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new ProcessInboxEventCommand(inboxEventId), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new RecordInboxFailureCommand(inboxEventId, $"{ex.GetType().Name}: {ex.Message}"), cancellationToken);
        }

        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IBillingDbContext>();
            var stored = await db.InboxEvents.AsNoTracking().SingleOrDefaultAsync(e => e.Id == inboxEventId, cancellationToken)
                ?? throw new NotFoundException("inbox_event.not_found", "No stored event has this id.");
            return stored.ToSummary();
        }
    }
}
