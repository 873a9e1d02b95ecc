namespace Billing.Application.Inbox;

public enum InboxStatus
{
    Received,
    Processed,
    Ignored,
    Failed,
}

/// <summary>
/// A provider event (Stripe event, Apple notification) as received, stored before the webhook answers 2xx.
/// Unique on (provider, event id), so a redelivery is a no-op; processed later from this row, so a crash after the 2xx loses nothing.
/// </summary>
public sealed class InboxEvent
{
    private InboxEvent()
    {
    }

    public long Id { get; private set; }

    public string Provider { get; private set; } = "";

    public string EventId { get; private set; } = "";

    public string EventType { get; private set; } = "";

    public string Payload { get; private set; } = "";

    public DateTimeOffset? ProviderCreatedAt { get; private set; }

    public DateTimeOffset ReceivedAt { get; private set; }

    public InboxStatus Status { get; private set; }

    public int Attempts { get; private set; }

    public DateTimeOffset NextAttemptAt { get; private set; }

    public DateTimeOffset? ProcessedAt { get; private set; }

    public string? LastError { get; private set; }

    /// <summary>When the current round of retries began: the receipt, or the last redelivery / requeue that reset a parked event.</summary>
    public DateTimeOffset? RetriesResetAt { get; private set; }

    /// <summary>Where the paid-money retry window is measured from.</summary>
    public DateTimeOffset RetryRoundStartedAt => RetriesResetAt ?? ReceivedAt;

    /// <summary>Received and not yet processed for longer than this: listed and counted as stale (nothing may sit unnoticed).</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(10);

    public static InboxEvent Receive(string provider, string eventId, string eventType, string payload, DateTimeOffset? providerCreatedAt, DateTimeOffset now) => new()
    {
        Provider = provider,
        EventId = eventId,
        EventType = eventType,
        Payload = payload,
        ProviderCreatedAt = providerCreatedAt,
        ReceivedAt = now,
        NextAttemptAt = now,
        Status = InboxStatus.Received,
    };

    public void MarkProcessed(DateTimeOffset now)
    {
        Attempts++;
        Status = InboxStatus.Processed;
        ProcessedAt = now;
        LastError = null;
    }

    /// <summary>Acknowledged and recorded but deliberately not acted on (unknown type, test notification).</summary>
    public void MarkIgnored(string reason, DateTimeOffset now)
    {
        Attempts++;
        Status = InboxStatus.Ignored;
        ProcessedAt = now;
        LastError = reason;
    }

    /// <summary>Processing failed: retried after a capped backoff, or parked as failed once the policy's budget is used.</summary>
    public void RecordFailure(string error, DateTimeOffset now, InboxRetryPolicy policy)
    {
        Attempts++;
        LastError = error.Length <= 1000 ? error : error[..1000];
        NextAttemptAt = now + InboxRetryPolicy.Delay(Attempts);
        Status = policy.IsExhausted(this, now) ? InboxStatus.Failed : InboxStatus.Received;
    }

    /// <summary>
    /// Operator: process a failed event again with a fresh budget, or a received one now instead of after its backoff.
    /// A processed or ignored event is settled: requeueing it could act on it twice, so it is refused.
    /// </summary>
    public void Requeue(DateTimeOffset now)
    {
        if (Status is not (InboxStatus.Failed or InboxStatus.Received))
        {
            throw new Domain.Common.DomainException("inbox.not_requeueable", $"Inbox event {Id} is {Status.ToString().ToLowerInvariant()}: only failed or received events can be requeued.");
        }

        Status = InboxStatus.Received;
        Attempts = 0;
        NextAttemptAt = now;
        RetriesResetAt = now;
    }

    /// <summary>
    /// An operator sends the event through processing again. Handlers are idempotent (guarded aggregate methods, unique
    /// grant keys), so replaying an event that was already applied changes nothing and owes no second grant.
    /// </summary>
    public void Replay(DateTimeOffset now)
    {
        Status = InboxStatus.Received;
        Attempts = 0;
        NextAttemptAt = now;
        LastError = null;
    }
}
