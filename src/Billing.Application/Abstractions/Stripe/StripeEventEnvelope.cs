using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Billing.Application.Abstractions.Stripe;

/// <summary>
/// The envelope of a Stripe event (webhook body or <c>GET /v1/events/{id}</c>). <see cref="DataObject"/> is the full
/// resource snapshot at event time, rendered in <see cref="ApiVersion"/>'s shape; decode it with the models'
/// <c>FromJson</c> (e.g. <see cref="StripeInvoice.FromJson"/>).
/// </summary>
/// <remarks>
/// <para><c>Created</c>: Event creation time: compare per object to ignore snapshots older than what was applied.</para>
/// <para><c>PreviousAttributes</c>: Old values of changed fields (only on <c>*.updated</c> events).</para>
/// <para><c>RequestId</c>: Null when Stripe initiated the change (e.g. a renewal).</para>
/// </remarks>
public sealed record StripeEventEnvelope(
    string Id,
    string Type,
    DateTimeOffset Created,
    bool Livemode,
    string? ApiVersion,
    JsonElement DataObject,
    JsonElement? PreviousAttributes,
    string? RequestId,
    string? RequestIdempotencyKey,
    string? Account)
{
    /// <summary>The <c>object</c> discriminator of <see cref="DataObject"/> (<c>checkout.session</c>, <c>invoice</c>, …).</summary>
    public string? DataObjectType => DataObject.String("object");

    public string? DataObjectId => DataObject.String("id");

    /// <exception cref="StripeObjectFormatException">Not JSON, or not a Stripe event.</exception>
    public static StripeEventEnvelope Parse(ReadOnlySpan<byte> utf8Json)
    {
        if (!TryParse(utf8Json, out var envelope, out var error))
        {
            throw new StripeObjectFormatException(error);
        }

        return envelope;
    }

    public static bool TryParse(
        ReadOnlySpan<byte> utf8Json,
        [NotNullWhen(true)] out StripeEventEnvelope? envelope,
        [NotNullWhen(false)] out string? error)
    {
        envelope = null;
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = 64 });
        JsonDocument document;
        try
        {
            if (!JsonDocument.TryParseValue(ref reader, out var parsed))
            {
                error = "The event body is empty.";
                return false;
            }

            document = parsed;
        }
        catch (JsonException exception)
        {
            // The message names a line and byte position, never payload content.
            error = $"The event body is not valid JSON: {exception.Message}";
            return false;
        }

        using (document)
        {
            return TryRead(document.RootElement, out envelope, out error);
        }
    }

    /// <summary>Reads an already parsed event; the result does not depend on <paramref name="root"/>'s document.</summary>
    public static StripeEventEnvelope FromJson(JsonElement root)
    {
        if (!TryRead(root, out var envelope, out var error))
        {
            throw new StripeObjectFormatException(error);
        }

        return envelope;
    }

    private static bool TryRead(
        JsonElement root,
        [NotNullWhen(true)] out StripeEventEnvelope? envelope,
        [NotNullWhen(false)] out string? error)
    {
        envelope = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            error = "The event body is not a JSON object.";
            return false;
        }

        if (root.String("object") is { } objectName && objectName != "event")
        {
            error = $"Expected object 'event', got '{objectName}'.";
            return false;
        }

        var id = root.String("id");
        var type = root.String("type");
        var created = root.Long("created");
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(type) || created is null)
        {
            error = "The event lacks 'id', 'type' or 'created'.";
            return false;
        }

        if (root.Path("data", "object") is not { ValueKind: JsonValueKind.Object } dataObject)
        {
            error = "The event lacks 'data.object'.";
            return false;
        }

        var previous = root.Path("data", "previous_attributes");

        // Older API versions sent 'request' as a bare id string; newer ones as {id, idempotency_key}.
        var request = root.Child("request");
        var requestId = request switch
        {
            { ValueKind: JsonValueKind.String } bare => bare.GetString(),
            { ValueKind: JsonValueKind.Object } value => value.String("id"),
            _ => null,
        };
        var idempotencyKey = request is { ValueKind: JsonValueKind.Object } requestObject
            ? requestObject.String("idempotency_key")
            : null;

        envelope = new StripeEventEnvelope(
            id,
            type,
            DateTimeOffset.FromUnixTimeSeconds(created.Value),
            root.Bool("livemode") ?? false,
            root.String("api_version"),
            dataObject.Clone(),
            previous is { ValueKind: JsonValueKind.Object } previousObject ? previousObject.Clone() : null,
            requestId,
            idempotencyKey,
            root.String("account"));
        error = null;
        return true;
    }
}
