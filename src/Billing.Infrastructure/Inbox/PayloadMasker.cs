using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Billing.Application.Abstractions.Inbox;

namespace Billing.Infrastructure.Inbox;

/// <summary>
/// Masks what an operator does not need to read a payload: email addresses (first letter and domain kept), and tokens,
/// secrets and signed blobs (JWS, client secrets, card fingerprints) replaced by their length. The result is pretty JSON.
/// </summary>
internal sealed partial class PayloadMasker : IStoredPayloadMasker
{
    private static readonly string[] SecretKeyParts = ["token", "secret", "password", "signature", "signed", "fingerprint", "last4", "cvc", "iban", "phone"];
    private static readonly JsonSerializerOptions Pretty = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public string Mask(string payload)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(payload);
        }
        catch (JsonException)
        {
            return MaskText(payload);
        }

        return root is null ? "null" : MaskNode(root, key: null)?.ToJsonString(Pretty) ?? "null";
    }

    private static JsonNode? MaskNode(JsonNode node, string? key)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var property in obj.ToList())
                {
                    obj[property.Key] = property.Value is null ? null : MaskNode(property.Value.DeepClone(), property.Key);
                }

                return obj;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is { } item)
                    {
                        array[i] = MaskNode(item.DeepClone(), key);
                    }
                }

                return array;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                var text = value.GetValue<string>();
                if (key is not null && SecretKeyParts.Any(part => key.Contains(part, StringComparison.OrdinalIgnoreCase)) || Jws().IsMatch(text))
                {
                    return JsonValue.Create($"[masked, {text.Length} characters]");
                }

                return JsonValue.Create(MaskText(text));
            default:
                return node;
        }
    }

    /// <summary>a.person@example.com → a•••@example.com; tokens inside free text → their length.</summary>
    public static string MaskText(string text) =>
        Jws().Replace(Email().Replace(text, m => $"{m.Groups["first"].Value}•••@{m.Groups["domain"].Value}"), m => $"[masked, {m.Length} characters]");

    [GeneratedRegex(@"(?<first>[A-Za-z0-9])[A-Za-z0-9._%+\-]*@(?<domain>[A-Za-z0-9.\-]+\.[A-Za-z]{2,})")]
    private static partial Regex Email();

    // Three base64url segments: a JWS or JWT (Apple's signed payloads, bearer tokens).
    [GeneratedRegex(@"eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}")]
    private static partial Regex Jws();
}
