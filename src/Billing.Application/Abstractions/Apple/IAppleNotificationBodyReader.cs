using System.Diagnostics.CodeAnalysis;

namespace Billing.Application.Abstractions.Apple;

/// <summary>
/// Reads the body Apple POSTs, <c>{"signedPayload": "&lt;JWS&gt;"}</c>, the same way at intake and again when the stored body
/// is processed. The JSON is read in Infrastructure; the Application sees the signed payload or the reason it has none.
/// </summary>
public interface IAppleNotificationBodyReader
{
    /// <summary>A notification (outer JWS plus nested transaction and renewal info, each with its x5c) is about 20 KB.</summary>
    const int MaxLength = 64 * 1024;

    bool TryReadSignedPayload(string? body, [NotNullWhen(true)] out string? signedPayload, [NotNullWhen(false)] out string? error);

    /// <summary>The body Apple would have POSTed for <paramref name="signedPayload"/> (a notification found by reconciliation).</summary>
    string WriteBody(string signedPayload);
}
