using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Billing.Application.Apple.Notifications;

/// <summary>The body Apple POSTs: <c>{"signedPayload": "&lt;JWS&gt;"}</c>. Read the same way at intake and again when processing.</summary>
internal static class AppleNotificationBody
{
    /// <summary>A notification (outer JWS plus nested transaction and renewal info, each with its x5c) is about 20 KB.</summary>
    public const int MaxLength = 64 * 1024;

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 8 };

    public static bool TryReadSignedPayload(string? body, [NotNullWhen(true)] out string? signedPayload, [NotNullWhen(false)] out string? error)
    {
        signedPayload = null;
        if (string.IsNullOrWhiteSpace(body))
        {
            error = "The body is empty.";
            return false;
        }

        if (body.Length > MaxLength)
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
