namespace Billing.TestFakes.Apple;

/// <summary>Shapes of throwaway Apple-like PKI, including the broken variants a verifier must refuse.</summary>
public sealed record AppleTestPkiOptions
{
    /// <summary>Leaf without OID 1.2.840.113635.100.6.11.1.</summary>
    public bool LeafWithoutAppleOid { get; init; }

    /// <summary>Intermediate without OID 1.2.840.113635.100.6.2.1.</summary>
    public bool IntermediateWithoutAppleOid { get; init; }

    /// <summary>Intermediate with BasicConstraints CA=false (it still signs the leaf).</summary>
    public bool IntermediateNotCa { get; init; }

    /// <summary>Leaf key on P-384 instead of the P-256 that ES256 requires.</summary>
    public bool LeafUsesP384 { get; init; }

    /// <summary>Leaf validity start; default one day before creation.</summary>
    public DateTimeOffset? LeafNotBefore { get; init; }

    /// <summary>Leaf validity end; default one year after creation.</summary>
    public DateTimeOffset? LeafNotAfter { get; init; }

    /// <summary>Root subject; give a look-alike root the same one.</summary>
    public string RootSubject { get; init; } = "CN=Timepoint Test Apple Root CA, OU=Tests, O=Timepoint, C=US";

    /// <summary>Leaf that expired a year ago (signing "now" must then fail).</summary>
    public static AppleTestPkiOptions ExpiredLeaf { get; } = new()
    {
        LeafNotBefore = DateTimeOffset.UtcNow.AddYears(-2),
        LeafNotAfter = DateTimeOffset.UtcNow.AddYears(-1),
    };
}
