namespace Billing.Application.Inbox;

/// <summary>What processing one stored provider event came to.</summary>
public enum InboxOutcome
{
    Processed,
    Ignored,
}

/// <summary>
/// Acts on one stored event of one provider (Stripe events, Apple notifications), in two steps (docs/decisions/0016):
/// <see cref="PrepareAsync"/> runs first, outside any transaction and holding no lock, and asks the provider whatever the
/// event needs (Stripe: re-fetch its object); <see cref="ProcessAsync"/> then runs inside the unit of work that also marks
/// the inbox row, with what was prepared, so the aggregate changes, the grants they owe and "processed" commit together.
/// Throwing from either rolls back and the row is retried with backoff.
/// </summary>
public interface IProviderEventProcessor
{
    string Provider { get; }

    /// <summary>
    /// Before the transaction opens: every provider call happens here. Two instances may prepare one event at once (reads
    /// only); the row lock taken before <see cref="ProcessAsync"/> still lets one of them act. Default: nothing to ask.
    /// </summary>
    Task<object?> PrepareAsync(InboxEvent inboxEvent, CancellationToken cancellationToken) => Task.FromResult<object?>(null);

    /// <summary>Inside the unit of work; <paramref name="prepared"/> is what <see cref="PrepareAsync"/> returned. Never calls a provider.</summary>
    Task<(InboxOutcome Outcome, string? Reason)> ProcessAsync(InboxEvent inboxEvent, object? prepared, CancellationToken cancellationToken);
}

public static class InboxProviders
{
    public const string Stripe = "stripe";
    public const string Apple = "apple";
}
