using Billing.Application.Abstractions.Messaging;
using Billing.Application.Abstractions.Stripe;
using Billing.Application.Inbox;

namespace Billing.Application.Stripe.Webhooks;

/// <summary>
/// The use case for one kind of Stripe event. Sent by <see cref="StripeEventProcessor"/> inside the inbox's unit of work
/// (so it joins that transaction); sent on its own it runs in its own. The event is only a trigger: handlers re-fetch
/// the object from Stripe and act on its current state, stamped with the event's <c>created</c> time.
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
    /// Re-fetches the object the event is about (the event is only a trigger). When the event names no object, or Stripe
    /// no longer has it, the object is null and <c>Ignored</c> holds the reason to record; otherwise <c>Ignored</c> is null.
    /// </summary>
    public static async Task<(T? Object, StripeEventResult? Ignored)> EventObjectAsync<T>(
        StripeEventEnvelope stripeEvent,
        string objectName,
        Func<string, CancellationToken, Task<T>> fetch,
        CancellationToken cancellationToken)
        where T : class
    {
        if (stripeEvent.DataObjectId is not { } id)
        {
            return (null, StripeEventResult.Ignored($"the event carries no {objectName} id"));
        }

        var fetched = await OrNullWhenMissing(fetch(id, cancellationToken));
        return fetched is null ? (null, StripeEventResult.Ignored($"{objectName} {id} does not exist at Stripe")) : (fetched, null);
    }

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
