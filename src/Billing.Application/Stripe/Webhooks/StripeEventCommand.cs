using Billing.Application.Abstractions.Stripe;
using Billing.Application.Inbox;

namespace Billing.Application.Stripe.Webhooks;

/// <summary>
/// The use case for one kind of Stripe event. The event is only a trigger: the object it is about is re-fetched from Stripe
/// before any transaction opens (each command's <c>FetchAsync</c>, called by <see cref="StripeEventProcessor.PrepareAsync"/>),
/// and the command carries it; the handler acts on that state, stamped with the event's <c>created</c> time, inside the
/// inbox's unit of work (or its own when sent alone), and never calls Stripe (docs/decisions/0016).
/// </summary>
public interface IStripeEventCommand : IProviderEventCommand
{
    StripeEventEnvelope Event { get; }
}

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
    public static ProviderEventResult Missing(StripeEventEnvelope stripeEvent, string objectName) =>
        ProviderEventResult.Ignored(stripeEvent.DataObjectId is { } id ? $"{objectName} {id} does not exist at Stripe" : $"the event carries no {objectName} id");

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
