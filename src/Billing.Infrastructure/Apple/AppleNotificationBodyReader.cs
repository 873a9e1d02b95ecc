using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Billing.Application.Abstractions.Apple;

namespace Billing.Infrastructure.Apple;

/// <summary>The body Apple POSTs: <c>{"signedPayload": "&lt;JWS&gt;"}</c>, with a shallow depth limit (it is one property).</summary>
internal sealed class AppleNotificationBodyReader : IAppleNotificationBodyReader
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 8 };

    public string WriteBody(string signedPayload) =>
        JsonSerializer.Serialize(new Dictionary<string, string> { ["signedPayload"] = signedPayload });

    public bool TryReadSignedPayload(string? body, [NotNullWhen(true)] out string? signedPayload, [NotNullWhen(false)] out string? error)
    {
        signedPayload = null;
        if (string.IsNullOrWhiteSpace(body))
        {
            error = "The body is empty.";
            return false;
        }

        if (body.Length > IAppleNotificationBodyReader.MaxLength)
        {
            error = "The body is larger than an App Store notification can be.";
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(body, Options);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("signedPayload", out var payload)
                || payload.ValueKind != JsonValueKind.String
                || string.IsNullOrWhiteSpace(payload.GetString()))
            {
                error = "The body is not {\"signedPayload\": \"<JWS>\"}.";
                return false;
            }

            signedPayload = payload.GetString()!;
            error = null;
            return true;
        }
        catch (JsonException)
        {
            error = "The body is not valid JSON.";
            return false;
        }
    }
}
