using Billing.Application.Abstractions.Messaging;

namespace Billing.Application.Inbox.ProcessInboxEvent;

/// <summary>
/// The transactional half of <see cref="ProcessInboxEventCommand"/>: lock the row (skipping it when another instance holds
/// it or it is no longer due), hand it with what was <paramref name="Prepared"/> to its provider's processor, mark it.
/// </summary>
public sealed record ApplyInboxEventCommand(long InboxEventId, object? Prepared) : ICommand<ProcessInboxEventResult>;
