using Billing.Application.Abstractions.Messaging;

namespace Billing.Application.Inbox.ProcessInboxEvent;

/// <summary>Process one stored provider event, if it is still due and no other instance holds it.</summary>
public sealed record ProcessInboxEventCommand(long InboxEventId) : ICommand<ProcessInboxEventResult>;

public enum ProcessInboxEventResult
{
    Processed,
    Ignored,
    NotDue,
}
