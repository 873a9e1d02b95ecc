using Billing.Application.Abstractions.Messaging;

namespace Billing.Application.Inbox.RecordInboxFailure;

/// <summary>Processing an event failed (its own transaction rolled back): count the attempt and schedule the retry.</summary>
public sealed record RecordInboxFailureCommand(long InboxEventId, string Error) : ICommand<bool>;
