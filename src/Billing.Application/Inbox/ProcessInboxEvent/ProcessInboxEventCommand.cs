using MediatR;

namespace Billing.Application.Inbox.ProcessInboxEvent;

/// <summary>
/// Process one stored provider event, if it is still due and no other instance holds it. Deliberately not an
/// <c>ICommand</c>: the provider is asked first, with no transaction open (docs/decisions/0016), and only then is
/// <see cref="ApplyInboxEventCommand"/> sent, whose unit of work locks the row, acts and marks it.
/// </summary>
public sealed record ProcessInboxEventCommand(long InboxEventId) : IRequest<ProcessInboxEventResult>;

public enum ProcessInboxEventResult
{
    Processed,
    Ignored,
    NotDue,
}
