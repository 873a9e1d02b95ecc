namespace Billing.Application.Inbox;

/// <summary>What processing one stored provider event came to.</summary>
public enum InboxOutcome
{
    Processed,
    Ignored,
}

/// <summary>
/// Acts on one stored event of one provider (Stripe events, Apple notifications). Runs inside the unit of work that also
/// marks the inbox row, so the aggregate changes, the grants they owe and "processed" commit together.
/// Throwing rolls all of it back and the row is retried with backoff.
/// </summary>
public interface IProviderEventProcessor
{
    string Provider { get; }

    Task<(InboxOutcome Outcome, string? Reason)> ProcessAsync(InboxEvent inboxEvent, CancellationToken cancellationToken);
}

public static class InboxProviders
{
    public const string Stripe = "stripe";
    public const string Apple = "apple";
}
