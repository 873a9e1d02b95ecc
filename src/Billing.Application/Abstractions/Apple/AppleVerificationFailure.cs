namespace Billing.Application.Abstractions.Apple;

/// <summary>Why Apple signed data was refused. Coarse on purpose: callers map it to an HTTP answer, not to a library code.</summary>
public enum AppleVerificationFailure
{
    /// <summary>Not a failure: the data verified.</summary>
    None = 0,

    /// <summary>Not a compact JWS, bad base64url, bad JSON, missing x5c, or a field of the wrong JSON type.</summary>
    Malformed,

    /// <summary>Header <c>alg</c> is not exactly ES256, or the leaf key is not P-256.</summary>
    UnsupportedAlgorithm,

    /// <summary><c>x5c</c> does not hold exactly three certificates (e.g. Xcode-signed data).</summary>
    InvalidChainLength,

    /// <summary>A certificate in <c>x5c</c> could not be decoded.</summary>
    InvalidCertificate,

    /// <summary>Leaf and intermediate do not chain to one of our trusted roots through the given intermediate.</summary>
    UntrustedChain,

    /// <summary>Leaf lacks OID 1.2.840.113635.100.6.11.1 or intermediate lacks OID 1.2.840.113635.100.6.2.1.</summary>
    MissingAppleOid,

    /// <summary>The intermediate certificate is not a CA (BasicConstraints CA=true missing).</summary>
    IntermediateNotCa,

    /// <summary>A certificate of the chain was not valid at the payload's <c>signedDate</c>.</summary>
    CertificateExpiredAtSignedDate,

    /// <summary>The ES256 signature does not verify with the leaf key (tampered payload or wrong key).</summary>
    BadSignature,

    /// <summary><c>bundleId</c> differs from the configured one.</summary>
    WrongBundle,

    /// <summary><c>environment</c> is not the configured one (or Sandbox while Sandbox is not allowed).</summary>
    WrongEnvironment,

    /// <summary>Production notification whose <c>appAppleId</c> differs from the configured one.</summary>
    WrongAppAppleId,
}
