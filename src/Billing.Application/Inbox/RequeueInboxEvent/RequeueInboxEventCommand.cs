using Billing.Application.Abstractions.Messaging;
using Billing.Application.Inbox.ListInboxEvents;

namespace Billing.Application.Inbox.RequeueInboxEvent;

/// <summary>
/// Operator: process a failed (or stale) inbox event again now, with a fresh retry budget. Safe: the use cases it reaches are
/// keyed and guarded, so an event whose work was in fact done finds it done. A processed or ignored event is refused (409).
/// </summary>
public sealed record RequeueInboxEventCommand(long InboxEventId) : ICommand<OperatorInboxEventResponse>;
