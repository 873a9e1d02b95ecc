using Billing.Application.Abstractions.Messaging;
using Billing.Application.Abstractions.Stripe;
using Billing.Application.Inbox;

namespace Billing.Application.Stripe.Webhooks;

/// <summary>
/// The use case for one kind of Stripe event. The event is only a trigger: the object it is about is re-fetched from Stripe
/// before any transaction opens (each command's <c>FetchAsync</c>, called by <see cref="StripeEventProcessor.PrepareAsync"/>),
/// and the command carries it; the handler acts on that state, stamped with the event's <c>created</c> time, inside the
/// inbox's unit of work (or its own when sent alone), and never calls Stripe (docs/decisions/0016).
/// </summary>
public interface IStripeEventCommand : ICommand<StripeEventResult>
{
    StripeEventEnvelope Event { get; }
}

/// <summary>What a Stripe event came to; an ignored event keeps its reason in the inbox row.</summary>
public sealed record StripeEventResult(InboxOutcome Outcome, string? Reason)
{
    public static StripeEventResult Processed(string? note = null) => new(InboxOutcome.Processed, note);

    public static StripeEventResult Ignored(string reason) => new(InboxOutcome.Ignored, reason);
}

/// <summary>
/// The event cannot be acted on yet but will be later (e.g. a renewal whose subscription cannot be identified before the
/// checkout that created it is processed). Rolls back and the inbox retries with backoff; it is parked, visibly, after its budget.
/// </summary>
public sealed class StripeEventNotReadyException(string message) : Exception(message);

internal static class StripeFetch
{
    /// <summary>
    /// Re-fetches the object the event is about (the event is only a trigger); null when the event names no object or
    /// Stripe no longer has it, which the handler records as ignored with <see cref="Missing"/>.
    /// </summary>
    public static async Task<T?> EventObjectAsync<T>(StripeEventEnvelope stripeEvent, Func<string, CancellationToken, Task<T>> fetch, CancellationToken cancellationToken)
        where T : class =>
        stripeEvent.DataObjectId is { } id ? await OrNullWhenMissing(fetch(id, cancellationToken)) : null;

    /// <summary>Why the event's object could not be fetched: recorded as ignored, not retried.</summary>
    public static StripeEventResult Missing(StripeEventEnvelope stripeEvent, string objectName) =>
        StripeEventResult.Ignored(stripeEvent.DataObjectId is { } id ? $"{objectName} {id} does not exist at Stripe" : $"the event carries no {objectName} id");

    /// <summary>The object, or null when Stripe no longer has it (404): such an event is recorded as ignored, not retried.</summary>
    public static async Task<T?> OrNullWhenMissing<T>(Task<T> fetch)
        where T : class
    {
        try
        {
            return await fetch;
        }
        catch (StripeApiException missing) when (missing.IsNotFound)
        {
            return null;
        }
    }
}
