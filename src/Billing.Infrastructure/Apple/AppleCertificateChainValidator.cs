using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Billing.Application.Abstractions.Apple;

namespace Billing.Infrastructure.Apple;

/// <summary>
/// Validates x5c[0] (leaf) -> x5c[1] (intermediate) -> one of OUR trusted roots, at a given time, offline.
/// A chain that validated once is cached with its validity window: offline validation only depends on time
/// through the certificates' validity periods, so later checks only compare the time with that window.
/// </summary>
internal sealed class AppleCertificateChainValidator
{
    /// <summary>App Store receipt-signing leaf marker.</summary>
    public const string LeafOid = "1.2.840.113635.100.6.11.1";

    /// <summary>Apple WWDR intermediate marker.</summary>
    public const string IntermediateOid = "1.2.840.113635.100.6.2.1";

    private const string NistP256Oid = "1.2.840.10045.3.1.7";

    // Real traffic uses one or two chains at a time; only chains that fully validated are cached, so the bound is a safety net.
    private const int MaxCachedChains = 64;

    private readonly X509Certificate2Collection _trustedRoots;
    private readonly ConcurrentDictionary<(string Leaf, string Intermediate), AppleValidatedChain> _validatedChains = new();

    public AppleCertificateChainValidator(X509Certificate2Collection trustedRoots)
    {
        ArgumentNullException.ThrowIfNull(trustedRoots);
        if (trustedRoots.Count == 0)
        {
            throw new ArgumentException("At least one trusted root is required.", nameof(trustedRoots));
        }

        _trustedRoots = [.. trustedRoots];
    }

    public AppleChainResult Validate(string leafBase64, string intermediateBase64, DateTimeOffset validationTime)
    {
        if (_validatedChains.TryGetValue((leafBase64, intermediateBase64), out var cached))
        {
            return cached.IsValidAt(validationTime)
                ? AppleChainResult.Valid(cached)
                : NotValidAtSignedDate();
        }

        var result = ValidateUncached(leafBase64, intermediateBase64, validationTime);
        if (result.Chain is not null)
        {
            if (_validatedChains.Count >= MaxCachedChains)
            {
                _validatedChains.Clear();
            }

            _validatedChains.TryAdd((leafBase64, intermediateBase64), result.Chain);
        }

        return result;
    }

    /// <summary>Validates already-decoded certificates without touching the cache (also used to test the real Apple chain).</summary>
    public AppleChainResult Validate(X509Certificate2 leaf, X509Certificate2 intermediate, DateTimeOffset validationTime)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        ArgumentNullException.ThrowIfNull(intermediate);

        // Cheap structural checks first; X509Chain alone ignores Apple's OIDs entirely.
        if (leaf.Extensions[LeafOid] is null)
        {
            return AppleChainResult.Fail(AppleVerificationFailure.MissingAppleOid, "leaf certificate lacks the App Store receipt-signing OID");
        }

        if (intermediate.Extensions[IntermediateOid] is null)
        {
            return AppleChainResult.Fail(AppleVerificationFailure.MissingAppleOid, "intermediate certificate lacks the Apple WWDR OID");
        }

        if (intermediate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true })
        {
            return AppleChainResult.Fail(AppleVerificationFailure.IntermediateNotCa, "intermediate certificate is not a CA");
        }

        byte[] leafPublicKey;
        using (var leafKey = leaf.GetECDsaPublicKey())
        {
            if (leafKey is null || leafKey.KeySize != 256 || leafKey.ExportParameters(false).Curve.Oid.Value != NistP256Oid)
            {
                return AppleChainResult.Fail(AppleVerificationFailure.UnsupportedAlgorithm, "leaf key is not EC P-256 as ES256 requires");
            }

            leafPublicKey = leafKey.ExportSubjectPublicKeyInfo();
        }

        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.AddRange(_trustedRoots);
        policy.ExtraStore.Add(intermediate);
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true;

        // Validity is judged at signedDate, not "now" (Apple's offline mode). Assigning VerificationTime also
        // clears VerificationTimeIgnored since .NET 7; set both so the intent is explicit.
        policy.VerificationTime = validationTime.UtcDateTime;
        policy.VerificationTimeIgnored = false;

        try
        {
            var built = chain.Build(leaf);
            if (!built)
            {
                return ChainBuildFailure(chain);
            }

            var elements = chain.ChainElements;

            // Must be exactly leaf -> the intermediate we were given -> one of our anchors; never some other path.
            if (elements.Count != 3
                || !elements[1].Certificate.RawDataMemory.Span.SequenceEqual(intermediate.RawDataMemory.Span)
                || !IsTrustedRoot(elements[2].Certificate))
            {
                return AppleChainResult.Fail(AppleVerificationFailure.UntrustedChain, "chain does not run leaf -> given intermediate -> trusted root");
            }

            var notBefore = elements.Max(element => new DateTimeOffset(element.Certificate.NotBefore));
            var notAfter = elements.Min(element => new DateTimeOffset(element.Certificate.NotAfter));
            return AppleChainResult.Valid(new AppleValidatedChain(leafPublicKey, notBefore, notAfter));
        }
        finally
        {
            foreach (var element in chain.ChainElements)
            {
                if (!IsInstanceWeOwn(element.Certificate, leaf, intermediate))
                {
                    element.Certificate.Dispose();
                }
            }
        }
    }

    private AppleChainResult ValidateUncached(string leafBase64, string intermediateBase64, DateTimeOffset validationTime)
    {
        X509Certificate2? leaf = null;
        X509Certificate2? intermediate = null;
        try
        {
            try
            {
                leaf = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(leafBase64));
                intermediate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(intermediateBase64));
            }
            catch (Exception exception) when (exception is FormatException or CryptographicException)
            {
                return AppleChainResult.Fail(AppleVerificationFailure.InvalidCertificate, "x5c holds a certificate that cannot be decoded");
            }

            return Validate(leaf, intermediate, validationTime);
        }
        finally
        {
            leaf?.Dispose();
            intermediate?.Dispose();
        }
    }

    // Chain elements may be copies; dispose those, never the certificates we were given or hold as anchors.
    private bool IsInstanceWeOwn(X509Certificate2 certificate, X509Certificate2 leaf, X509Certificate2 intermediate)
    {
        if (ReferenceEquals(certificate, leaf) || ReferenceEquals(certificate, intermediate))
        {
            return true;
        }

        foreach (var root in _trustedRoots)
        {
            if (ReferenceEquals(certificate, root))
            {
                return true;
            }
        }

        return false;
    }

    private bool IsTrustedRoot(X509Certificate2 certificate)
    {
        foreach (var root in _trustedRoots)
        {
            if (root.RawDataMemory.Span.SequenceEqual(certificate.RawDataMemory.Span))
            {
                return true;
            }
        }

        return false;
    }

    private static AppleChainResult ChainBuildFailure(X509Chain chain)
    {
        const X509ChainStatusFlags timeFlags = X509ChainStatusFlags.NotTimeValid | X509ChainStatusFlags.NotTimeNested;
        var flags = X509ChainStatusFlags.NoError;
        foreach (var status in chain.ChainStatus)
        {
            flags |= status.Status;
        }

        // Only a pure time problem is reported as such; anything else (untrusted root, bad issuer signature...) is an untrusted chain.
        if ((flags & timeFlags) != 0 && (flags & ~timeFlags) == 0)
        {
            return NotValidAtSignedDate();
        }

        return AppleChainResult.Fail(AppleVerificationFailure.UntrustedChain, "certificate chain does not lead to a trusted Apple root");
    }

    private static AppleChainResult NotValidAtSignedDate() =>
        AppleChainResult.Fail(AppleVerificationFailure.CertificateExpiredAtSignedDate, "a chain certificate was not valid at the payload's signedDate");
}

/// <summary>Outcome of a chain check: a validated chain, or a reason.</summary>
internal readonly record struct AppleChainResult(AppleValidatedChain? Chain, AppleVerificationFailure Failure, string? Message)
{
    public static AppleChainResult Valid(AppleValidatedChain chain) => new(chain, AppleVerificationFailure.None, null);

    public static AppleChainResult Fail(AppleVerificationFailure failure, string message) => new(null, failure, message);
}

/// <summary>
/// A chain that validated: its common validity window and the leaf key. ECDsa instances are pooled because
/// instance members are not documented as thread-safe and re-importing the key on every verify is wasteful.
/// </summary>
internal sealed class AppleValidatedChain
{
    private const int MaxPooledKeys = 16;

    private readonly byte[] _leafSubjectPublicKeyInfo;
    private readonly ConcurrentBag<ECDsa> _keys = [];

    public AppleValidatedChain(byte[] leafSubjectPublicKeyInfo, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        _leafSubjectPublicKeyInfo = leafSubjectPublicKeyInfo;
        NotBefore = notBefore;
        NotAfter = notAfter;
    }

    /// <summary>Latest notBefore of leaf, intermediate and root.</summary>
    public DateTimeOffset NotBefore { get; }

    /// <summary>Earliest notAfter of leaf, intermediate and root.</summary>
    public DateTimeOffset NotAfter { get; }

    public bool IsValidAt(DateTimeOffset time) => time >= NotBefore && time <= NotAfter;

    /// <summary>ES256: SHA-256 and a JOSE r||s signature (IEEE P1363), not DER.</summary>
    public bool VerifySignature(byte[] signingInput, byte[] signature)
    {
        if (!_keys.TryTake(out var key))
        {
            key = ECDsa.Create();
            key.ImportSubjectPublicKeyInfo(_leafSubjectPublicKeyInfo, out _);
        }

        try
        {
            return key.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (CryptographicException)
        {
            return false;
        }
        finally
        {
            if (_keys.Count < MaxPooledKeys)
            {
                _keys.Add(key);
            }
            else
            {
                key.Dispose();
            }
        }
    }
}
