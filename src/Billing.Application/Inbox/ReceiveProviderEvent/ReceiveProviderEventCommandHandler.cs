using System.Diagnostics;
using Billing.Application.Abstractions.Inbox;
using Billing.Application.Abstractions.Telemetry;
using MediatR;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Inbox.ReceiveProviderEvent;

internal sealed partial class ReceiveProviderEventCommandHandler(IInboxIntake intake, TimeProvider clock, BillingMetrics metrics, ILogger<ReceiveProviderEventCommandHandler> logger)
    : IRequestHandler<ReceiveProviderEventCommand, ReceiveProviderEventResult>
{
    public async Task<ReceiveProviderEventResult> Handle(ReceiveProviderEventCommand request, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();

        // The intake span's context is kept with the row, so processing (later, in a worker) continues the same trace.
        var traceParent = Activity.Current?.Id;

        // One atomic write (grouped with concurrent deliveries into one commit): concurrent deliveries of one event never fail
        // each other. A redelivery of an event parked as failed resets it for processing with a fresh budget (the provider is
        // telling us it still matters); any other redelivery changes nothing.
        var outcome = await intake.StoreAsync(
            new InboxIntakeRow(request.Provider, request.EventId, request.EventType, request.Payload, request.ProviderCreatedAt, now, traceParent),
            cancellationToken);

        var inserted = outcome == InboxIntakeOutcome.Stored;
        metrics.WebhookStored(request.Provider, request.EventType, duplicate: !inserted);
        if (outcome == InboxIntakeOutcome.ResetFromFailed)
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

    // Debug: at the default level a stored event costs no log write (intake's hot path); processing logs what it did.
    [LoggerMessage(Level = LogLevel.Debug, Message = "{Provider} event {EventId} ({EventType}) stored in the inbox")]
    private partial void LogStored(string provider, string eventId, string eventType);
}
