namespace Billing.Application.Inbox;

public sealed record InboxEventSummary(
    long Id,
    string Provider,
    string EventId,
    string EventType,
    string Status,
    int Attempts,
    DateTimeOffset? ProviderCreatedAt,
    DateTimeOffset ReceivedAt,
    DateTimeOffset? ProcessedAt,
    string? LastError);

internal static class InboxEventMapping
{
    public static InboxEventSummary ToSummary(this InboxEvent e) => new(
        e.Id, e.Provider, e.EventId, e.EventType, e.Status.ToString().ToLowerInvariant(), e.Attempts, e.ProviderCreatedAt, e.ReceivedAt, e.ProcessedAt, e.LastError);
}
