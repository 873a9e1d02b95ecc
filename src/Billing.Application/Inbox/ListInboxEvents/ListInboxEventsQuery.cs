using Billing.Application.Abstractions.Messaging;

namespace Billing.Application.Inbox.ListInboxEvents;

/// <summary>
/// Operator view of the inbox events that need a person: <c>failed</c> (parked after their retry budget) and <c>stale</c>
/// (still received more than 10 minutes after they arrived). Default: both, oldest first.
/// </summary>
public sealed record ListInboxEventsQuery(string? Status, int Limit = 100) : IQuery<ListInboxEventsResponse>;

public sealed record ListInboxEventsResponse(InboxAttentionCounts Counts, IReadOnlyList<OperatorInboxEventResponse> Events);

public sealed record InboxAttentionCounts(int Failed, int Stale);

public sealed record OperatorInboxEventResponse(
    long Id,
    string Provider,
    string EventId,
    string EventType,
    string Status,
    bool Stale,
    bool PaidMoney,
    int Attempts,
    string? LastError,
    DateTimeOffset ReceivedAt,
    DateTimeOffset? RetriesResetAt,
    DateTimeOffset NextAttemptAt,
    string RequeueRoute);

internal static class OperatorInboxMapping
{
    public static OperatorInboxEventResponse ToOperatorResponse(this InboxEvent e, DateTimeOffset now) => new(
        e.Id,
        e.Provider,
        e.EventId,
        e.EventType,
        e.Status.ToString().ToLowerInvariant(),
        e.Status == InboxStatus.Received && e.ReceivedAt < now - InboxEvent.StaleAfter,
        PaidMoneyEvents.Contains(e.Provider, e.EventType),
        e.Attempts,
        e.LastError,
        e.ReceivedAt,
        e.RetriesResetAt,
        e.NextAttemptAt,
        RequeueRoute(e.Id));

    public static string RequeueRoute(long id) => $"/internal/billing/admin/inbox/{id}/requeue";
}
