using Billing.Application.Abstractions.Apple;

namespace Billing.Application.Apple;

/// <summary>Apple signed data failed verification (signature, chain, bundle, environment...). Mapped to 400 with <see cref="Code"/>.</summary>
public sealed class AppleSignedDataRejectedException(AppleVerificationFailure failure, string message) : Exception(message)
{
    public AppleVerificationFailure Failure { get; } = failure;

    /// <summary>The wire reason code, e.g. <c>apple.bad_signature</c>.</summary>
    public string Code { get; } = AppleReasonCodes.For(failure);
}

/// <summary>A verified Apple transaction this service cannot sell (unknown product, wrong product type, family-shared). Mapped to 422.</summary>
public sealed class AppleProductNotSupportedException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>Stable wire codes for verification failures: they outlive renames of the enum.</summary>
public static class AppleReasonCodes
{
    public const string UnknownProduct = "apple.unknown_product";
    public const string ProductTypeMismatch = "apple.product_type_mismatch";
    public const string FamilyShared = "apple.family_shared";
    public const string InvalidQuantity = "apple.invalid_quantity";
    public const string AccountTokenMismatch = "apple.account_token_mismatch";
    public const string OwnedByAnotherUser = "apple.transaction_owned_by_another_user";
    public const string MalformedTransaction = "apple.malformed_transaction";
    public const string MalformedNotification = "apple.malformed_notification";

    public static string For(AppleVerificationFailure failure) => failure switch
    {
        AppleVerificationFailure.Malformed => "apple.malformed",
        AppleVerificationFailure.UnsupportedAlgorithm => "apple.unsupported_algorithm",
        AppleVerificationFailure.InvalidChainLength => "apple.invalid_chain_length",
        AppleVerificationFailure.InvalidCertificate => "apple.invalid_certificate",
        AppleVerificationFailure.UntrustedChain => "apple.untrusted_chain",
        AppleVerificationFailure.MissingAppleOid => "apple.missing_apple_oid",
        AppleVerificationFailure.IntermediateNotCa => "apple.intermediate_not_ca",
        AppleVerificationFailure.CertificateExpiredAtSignedDate => "apple.certificate_expired",
        AppleVerificationFailure.BadSignature => "apple.bad_signature",
        AppleVerificationFailure.WrongBundle => "apple.wrong_bundle",
        AppleVerificationFailure.WrongEnvironment => "apple.wrong_environment",
        AppleVerificationFailure.WrongAppAppleId => "apple.wrong_app_apple_id",
        AppleVerificationFailure.None => "apple.none",
        _ => "apple.unverified",
    };
}
