using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Billing.Application.Abstractions.Stripe;

namespace Billing.Infrastructure.Stripe;

/// <summary>
/// Stripe's event envelope (webhook body): <c>id</c>, <c>object="event"</c>, <c>type</c>, <c>created</c>, <c>livemode</c>,
/// <c>api_version</c>, <c>data.object</c> (its <c>object</c> and <c>id</c> are all we keep) and <c>request</c> (an object
/// <c>{id, idempotency_key}</c>, or a bare id string on old API versions). Lenient on unknown fields, strict on the four
/// fields without which an event cannot be stored once and routed.
/// </summary>
internal sealed class StripeEventReader : IStripeEventReader
{
    public bool TryRead(ReadOnlySpan<byte> utf8Json, [NotNullWhen(true)] out StripeEventEnvelope? stripeEvent, [NotNullWhen(false)] out string? error)
    {
        stripeEvent = null;
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
            return TryRead(document.RootElement, out stripeEvent, out error);
        }
    }

    private static bool TryRead(JsonElement root, [NotNullWhen(true)] out StripeEventEnvelope? stripeEvent, [NotNullWhen(false)] out string? error)
    {
        stripeEvent = null;
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

        var request = root.Child("request");
        var requestId = request switch
        {
            { ValueKind: JsonValueKind.String } bare => bare.GetString(),
            { ValueKind: JsonValueKind.Object } value => value.String("id"),
            _ => null,
        };
        var idempotencyKey = request is { ValueKind: JsonValueKind.Object } requestObject ? requestObject.String("idempotency_key") : null;

        stripeEvent = new StripeEventEnvelope(
            id,
            type,
            DateTimeOffset.FromUnixTimeSeconds(created.Value),
            root.Bool("livemode") ?? false,
            root.String("api_version"),
            dataObject.String("object"),
            dataObject.String("id"),
            requestId,
            idempotencyKey);
        error = null;
        return true;
    }
}
