namespace Billing.Application.Abstractions.Inbox;

/// <summary>
/// Stores verified provider events in the inbox. The task completes only once the row is durable (its transaction
/// committed), so the caller may answer the provider 2xx; it throws when the write failed, and then nothing is stored.
/// Implementations may commit several concurrent events together (group commit; docs/decisions/0045).
/// </summary>
public interface IInboxIntake
{
    Task<InboxIntakeOutcome> StoreAsync(InboxIntakeRow row, CancellationToken cancellationToken);
}

public sealed record InboxIntakeRow(
    string Provider,
    string EventId,
    string EventType,
    string Payload,
    DateTimeOffset? ProviderCreatedAt,
    DateTimeOffset ReceivedAt,
    string? TraceParent);

public enum InboxIntakeOutcome
{
    /// <summary>First delivery: a new row.</summary>
    Stored,

    /// <summary>A redelivery of an event parked as failed: reset for processing with a fresh budget.</summary>
    ResetFromFailed,

    /// <summary>Already stored (by an earlier delivery, or earlier in the same batch): nothing changed.</summary>
    Duplicate,
}
