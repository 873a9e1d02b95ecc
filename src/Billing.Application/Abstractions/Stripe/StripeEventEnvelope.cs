using System.Diagnostics.CodeAnalysis;

namespace Billing.Application.Abstractions.Stripe;

/// <summary>
/// What a Stripe event says, in our terms: which event, of what type, when, in which mode and API version, and which object
/// it is about. The handlers treat it as a trigger and re-fetch the object; the payload itself stays in the inbox row.
/// </summary>
/// <remarks>
/// <para><c>Created</c>: Event creation time: compare per object to ignore snapshots older than what was applied.</para>
/// <para><c>RequestId</c>: Null when Stripe initiated the change (e.g. a renewal).</para>
/// </remarks>
public sealed record StripeEventEnvelope(
    string Id,
    string Type,
    DateTimeOffset Created,
    bool Livemode,
    string? ApiVersion,
    string? DataObjectType,
    string? DataObjectId,
    string? RequestId = null,
    string? RequestIdempotencyKey = null);

/// <summary>Reads a Stripe event body (the wire format stays in Infrastructure).</summary>
public interface IStripeEventReader
{
    /// <param name="utf8Json">The body exactly as stored or received.</param>
    /// <param name="stripeEvent">The event, when it could be read.</param>
    /// <param name="error">Why not (names a position, never payload content).</param>
    bool TryRead(ReadOnlySpan<byte> utf8Json, [NotNullWhen(true)] out StripeEventEnvelope? stripeEvent, [NotNullWhen(false)] out string? error);
}
