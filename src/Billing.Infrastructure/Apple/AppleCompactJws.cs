using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Billing.Application.Abstractions.Apple;

namespace Billing.Infrastructure.Apple;

/// <summary>A compact JWS split and decoded, with its header checked (alg ES256, x5c of exactly three), not yet verified.</summary>
internal sealed class AppleCompactJws
{
    /// <summary>Apple's JWS are a few KB; refuse anything far larger before decoding it.</summary>
    public const int MaxLength = 64 * 1024;

    private AppleCompactJws(byte[] signingInput, byte[] payload, byte[] signature, string leafBase64, string intermediateBase64)
    {
        SigningInput = signingInput;
        Payload = payload;
        Signature = signature;
        LeafBase64 = leafBase64;
        IntermediateBase64 = intermediateBase64;
    }

    /// <summary>ASCII of <c>base64url(header).base64url(payload)</c>: what ES256 signs.</summary>
    public byte[] SigningInput { get; }

    public byte[] Payload { get; }

    public byte[] Signature { get; }

    /// <summary>x5c[0], standard base64 DER.</summary>
    public string LeafBase64 { get; }

    /// <summary>x5c[1], standard base64 DER. x5c[2] (the root the JWS carries) is never used.</summary>
    public string IntermediateBase64 { get; }

    public static AppleCompactJws? TryParse(string? token, out AppleVerificationFailure failure, out string? message)
    {
        failure = AppleVerificationFailure.Malformed;
        if (string.IsNullOrEmpty(token))
        {
            message = "signed data is empty";
            return null;
        }

        if (token.Length > MaxLength)
        {
            message = "signed data is too large";
            return null;
        }

        var firstDot = token.IndexOf('.', StringComparison.Ordinal);
        var secondDot = firstDot < 0 ? -1 : token.IndexOf('.', firstDot + 1);
        if (firstDot <= 0 || secondDot < 0 || token.IndexOf('.', secondDot + 1) >= 0)
        {
            message = "signed data is not a compact JWS (header.payload.signature)";
            return null;
        }

        var encodedHeader = token.AsSpan(0, firstDot);
        var encodedPayload = token.AsSpan(firstDot + 1, secondDot - firstDot - 1);
        var encodedSignature = token.AsSpan(secondDot + 1);
        if (!TryDecodeBase64Url(encodedHeader, out var header)
            || !TryDecodeBase64Url(encodedPayload, out var payload)
            || !TryDecodeBase64Url(encodedSignature, out var signature))
        {
            message = "JWS segment is not valid base64url";
            return null;
        }

        if (!TryReadHeader(header, out var algorithm, out var x5c, out message))
        {
            return null;
        }

        if (!string.Equals(algorithm, "ES256", StringComparison.Ordinal))
        {
            failure = AppleVerificationFailure.UnsupportedAlgorithm;
            message = "JWS header alg must be ES256";
            return null;
        }

        if (x5c.Count != 3)
        {
            failure = AppleVerificationFailure.InvalidChainLength;
            message = $"JWS header x5c must hold exactly 3 certificates, found {x5c.Count}";
            return null;
        }

        failure = AppleVerificationFailure.None;
        message = null;
        var signingInput = Encoding.ASCII.GetBytes(token, 0, secondDot);
        return new AppleCompactJws(signingInput, payload, signature, x5c[0], x5c[1]);
    }

    private static bool TryReadHeader(byte[] header, out string? algorithm, out List<string> x5c, out string? message)
    {
        algorithm = null;
        x5c = [];
        try
        {
            using var document = JsonDocument.Parse(header);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                message = "JWS header is not a JSON object";
                return false;
            }

            if (!root.TryGetProperty("x5c", out var chain) || chain.ValueKind != JsonValueKind.Array)
            {
                message = "JWS header has no x5c certificate chain";
                return false;
            }

            foreach (var entry in chain.EnumerateArray())
            {
                if (entry.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(entry.GetString()))
                {
                    message = "JWS header x5c holds a non-string entry";
                    return false;
                }

                x5c.Add(entry.GetString()!);
            }

            if (root.TryGetProperty("alg", out var alg) && alg.ValueKind == JsonValueKind.String)
            {
                algorithm = alg.GetString();
            }

            message = null;
            return true;
        }
        catch (JsonException)
        {
            message = "JWS header is not valid JSON";
            return false;
        }
    }

    private static bool TryDecodeBase64Url(ReadOnlySpan<char> encoded, out byte[] decoded)
    {
        // Validate first: the Try/Decode APIs throw on invalid characters, and garbage input is routine here.
        if (!Base64Url.IsValid(encoded, out var decodedLength))
        {
            decoded = [];
            return false;
        }

        decoded = new byte[decodedLength];
        return Base64Url.TryDecodeFromChars(encoded, decoded, out var written) && written == decodedLength;
    }
}
