using Billing.Application.Abstractions.Persistence;
using Billing.Application.Abstractions.Telemetry;
using Billing.Domain.Common;
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
    private const string BeforeUseCase = "before_use_case";

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

        var result = await ProcessOrRefuseAsync(processor, inboxEvent, request.Prepared, cancellationToken);
        switch (result.Outcome)
        {
            case InboxOutcome.RetryLater:
                // Rolls the unit of work back; the failure is recorded on the row and it is retried with backoff.
                throw new ProviderEventNotReadyException(result.Reason ?? "not actionable yet");
            case InboxOutcome.Ignored:
                inboxEvent.MarkIgnored(result.Reason ?? "ignored", clock.GetUtcNow());
                metrics.InboxOutcome(inboxEvent.Provider, inboxEvent.EventType, "ignored");
                LogIgnored(inboxEvent.Provider, inboxEvent.EventId, inboxEvent.EventType, result.Reason);
                return ProcessInboxEventResult.Ignored;
            default:
                inboxEvent.MarkProcessed(clock.GetUtcNow());
                metrics.InboxOutcome(inboxEvent.Provider, inboxEvent.EventType, "processed");
                LogProcessed(inboxEvent.Provider, inboxEvent.EventId, inboxEvent.EventType);
                return ProcessInboxEventResult.Processed;
        }
    }

    /// <summary>
    /// The one policy for an event a business rule refuses (a <see cref="DomainException"/> from the domain), for every
    /// provider (docs/decisions/0040): nothing the use case did commits, neither tracked changes nor its SQL statements
    /// (rolled back to a savepoint taken after the row lock), and the event is recorded as ignored with the rule's code and
    /// message. It is not retried: the same state refuses it again; an operator can replay it once the state is fixed.
    /// </summary>
    private async Task<ProviderEventResult> ProcessOrRefuseAsync(IProviderEventProcessor processor, InboxEvent inboxEvent, object? prepared, CancellationToken cancellationToken)
    {
        var transaction = db.Database.CurrentTransaction;
        if (transaction is not null)
        {
            await transaction.CreateSavepointAsync(BeforeUseCase, cancellationToken);
        }

        try
        {
            return await processor.ProcessAsync(inboxEvent, prepared, cancellationToken);
        }
        catch (DomainException refused)
        {
            if (transaction is not null)
            {
                await transaction.RollbackToSavepointAsync(BeforeUseCase, cancellationToken);
            }

            foreach (var entry in db.ChangeTracker.Entries().Where(e => e.Entity is not InboxEvent).ToList())
            {
                entry.State = EntityState.Detached;
            }

            LogRefused(inboxEvent.Provider, inboxEvent.EventId, inboxEvent.EventType, refused.Code, refused.Message);
            return ProviderEventResult.Ignored($"refused by a business rule ({refused.Code}): {refused.Message}");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Provider} event {EventId} ({EventType}) recorded and ignored: {Reason}")]
    private partial void LogIgnored(string provider, string eventId, string eventType, string? reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Provider} event {EventId} ({EventType}) processed")]
    private partial void LogProcessed(string provider, string eventId, string eventType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Provider} event {EventId} ({EventType}) refused by a business rule: {Code}: {RuleMessage}; nothing it did is kept")]
    private partial void LogRefused(string provider, string eventId, string eventType, string code, string ruleMessage);
}
