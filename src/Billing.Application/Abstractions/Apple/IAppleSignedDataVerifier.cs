namespace Billing.Application.Abstractions.Apple;

/// <summary>
/// Verifies App Store signed data (compact JWS, ES256, x5c chained to a root we hold) and decodes it.
/// Never throws for bad input: every refusal comes back as a failed <see cref="AppleVerification{T}"/>.
/// </summary>
public interface IAppleSignedDataVerifier
{
    /// <summary>Verifies a StoreKit 2 <c>signedTransactionInfo</c> (signature, chain, bundle, environment).</summary>
    AppleVerification<AppleTransaction> VerifyTransaction(string signedTransaction);

    /// <summary>
    /// Verifies an App Store Server Notification V2 <c>signedPayload</c> and, separately, the nested
    /// <c>data.signedTransactionInfo</c> / <c>data.signedRenewalInfo</c>; fails if any of them fails.
    /// </summary>
    AppleVerification<AppleNotification> VerifyNotification(string signedPayload);
}
