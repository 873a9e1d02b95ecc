using System.Security.Cryptography;

namespace Billing.TestFakes.Apple;

/// <summary>How <see cref="AppleTestPki.Sign(string, AppleJwsOptions?)"/> builds a JWS; the defaults give a valid Apple-shaped JWS.</summary>
public sealed record AppleJwsOptions
{
    /// <summary>
    /// Header <c>alg</c>. Whatever it says, the signature is still a valid ES256 one (unless <see cref="EmptySignature"/>),
    /// so a verifier that ignores <c>alg</c> would accept the token. Null omits the field.
    /// </summary>
    public string? Algorithm { get; init; } = "ES256";

    /// <summary>Classic <c>alg: none</c> shape: nothing after the last dot.</summary>
    public bool EmptySignature { get; init; }

    /// <summary>Replaces the header's x5c entries (standard base64 DER), e.g. 2 or 4 entries, or another root in slot 2.</summary>
    public IReadOnlyList<string>? X5c { get; init; }

    /// <summary>Leaves x5c out of the header.</summary>
    public bool OmitX5c { get; init; }

    /// <summary>Signs with this key instead of the leaf's (the signature then does not match the leaf).</summary>
    public ECDsa? SigningKey { get; init; }
}
