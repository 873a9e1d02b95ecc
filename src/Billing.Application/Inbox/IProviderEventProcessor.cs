using Billing.Application.Abstractions.Messaging;
using MediatR;

namespace Billing.Application.Inbox;

/// <summary>What processing one stored provider event came to.</summary>
public enum InboxOutcome
{
    Processed,
    Ignored,

    /// <summary>Not actionable yet but will be: the unit of work rolls back and the inbox retries with backoff (0015).</summary>
    RetryLater,
}

/// <summary>
/// What one provider event came to, for every provider (Stripe events, Apple notifications): processed (with an optional
/// note), ignored with the reason kept in the inbox row, or to be retried later with the reason recorded as its last error.
/// </summary>
public sealed record ProviderEventResult(InboxOutcome Outcome, string? Reason)
{
    public static ProviderEventResult Processed(string? note = null) => new(InboxOutcome.Processed, note);

    public static ProviderEventResult Ignored(string reason) => new(InboxOutcome.Ignored, reason);

    /// <summary>
    /// The event cannot be acted on yet but will be later (e.g. a renewal whose subscription cannot be identified before the
    /// checkout that created it is processed). Nothing it did commits; it is parked, visibly, after its retry budget.
    /// </summary>
    public static ProviderEventResult RetryLater(string reason) => new(InboxOutcome.RetryLater, reason);
}

/// <summary>Thrown by the inbox for a <see cref="InboxOutcome.RetryLater"/> result: rolls the unit of work back, and the row is retried.</summary>
public sealed class ProviderEventNotReadyException(string message) : Exception(message);

/// <summary>
/// The use case for one kind of provider event (one folder each, e.g. Stripe/Webhooks/RecordInvoicePaid,
/// Apple/Notifications/RecordRefund). It is built by its provider's <see cref="IProviderEventProcessor.PrepareAsync"/>
/// outside any transaction and carries everything the handler needs; the handler runs inside the inbox's unit of work and
/// never calls a provider (docs/decisions/0016).
/// </summary>
public interface IProviderEventCommand : ICommand<ProviderEventResult>;

/// <summary>
/// Acts on one stored event of one provider (Stripe events, Apple notifications), in two steps (docs/decisions/0016):
/// <see cref="PrepareAsync"/> runs first, outside any transaction and holding no lock, reads the stored event, asks the
/// provider whatever the event needs (Stripe: re-fetch its object) and routes it to its use case;
/// <see cref="ProcessAsync"/> then runs inside the unit of work that also marks the inbox row, with what was prepared, so
/// the aggregate changes, the grants they owe and "processed" commit together. Throwing from either rolls back and the row
/// is retried with backoff; a business rule refusing the event is the inbox's one policy (docs/decisions/0040).
/// </summary>
public interface IProviderEventProcessor
{
    string Provider { get; }

    /// <summary>
    /// Before the transaction opens: every provider call happens here. Two instances may prepare one event at once (reads
    /// only); the row lock taken before <see cref="ProcessAsync"/> still lets one of them act. Returns the
    /// <see cref="IProviderEventCommand"/> to send, or the <see cref="ProviderEventResult"/> already decided. Default: nothing to ask.
    /// </summary>
    Task<object?> PrepareAsync(InboxEvent inboxEvent, CancellationToken cancellationToken) => Task.FromResult<object?>(null);

    /// <summary>Inside the unit of work; <paramref name="prepared"/> is what <see cref="PrepareAsync"/> returned. Never calls a provider.</summary>
    Task<ProviderEventResult> ProcessAsync(InboxEvent inboxEvent, object? prepared, CancellationToken cancellationToken);
}

/// <summary>The processing half shared by the providers: the decided result as it is, or the prepared command sent.</summary>
internal static class PreparedProviderEvent
{
    public static async Task<ProviderEventResult> SendAsync(IMediator mediator, InboxEvent inboxEvent, object? prepared, CancellationToken cancellationToken) =>
        prepared switch
        {
            ProviderEventResult decided => decided,
            IProviderEventCommand command => await mediator.Send(command, cancellationToken),
            _ => throw new InvalidOperationException($"{inboxEvent.Provider} event {inboxEvent.EventId} was not prepared before its transaction."),
        };
}

public static class InboxProviders
{
    public const string Stripe = "stripe";
    public const string Apple = "apple";
}
