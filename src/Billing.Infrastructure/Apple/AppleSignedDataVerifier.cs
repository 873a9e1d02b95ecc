using System.Text.Json;
using Billing.Application.Abstractions.Apple;

namespace Billing.Infrastructure.Apple;

/// <summary>
/// Verifies App Store signed data the way Apple's server libraries do with online checks off:
/// header (alg ES256, x5c of 3) -> chain leaf -> x5c[1] -> our root at signedDate, with Apple's OIDs -> ES256 signature
/// with the leaf key -> strict decode -> bundleId / appAppleId / environment against configuration.
/// Thread-safe; register as a singleton so the validated-chain cache is shared.
/// </summary>
internal sealed class AppleSignedDataVerifier : IAppleSignedDataVerifier
{
    private readonly AppleOptions _options;
    private readonly AppleCertificateChainValidator _chainValidator;
    private readonly TimeProvider _timeProvider;

    public AppleSignedDataVerifier(AppleOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.Validate();

        _options = options;
        _timeProvider = timeProvider;
        _chainValidator = new AppleCertificateChainValidator(AppleRootCertificates.LoadTrustAnchors(options.RootCertificatePaths));
    }

    public AppleVerification<AppleTransaction> VerifyTransaction(string signedTransaction) =>
        VerifyAndDecode(signedTransaction, AppleModelReader.ReadTransaction, CheckTransaction);

    public AppleVerification<AppleRenewalInfo> VerifyRenewalInfo(string signedRenewalInfo) =>
        VerifyAndDecode(signedRenewalInfo, AppleModelReader.ReadRenewalInfo, renewal => CheckEnvironment(renewal.Environment));

    public AppleVerification<AppleNotification> VerifyNotification(string signedPayload)
    {
        var outer = VerifyAndDecode(signedPayload, AppleModelReader.ReadNotification, CheckNotification);
        if (!outer.IsValid)
        {
            return AppleVerification<AppleNotification>.Fail(outer.Failure, outer.FailureMessage);
        }

        var (notification, signedTransactionInfo, signedRenewalInfo) = outer.Value;
        if (notification.Data is null)
        {
            return AppleVerification<AppleNotification>.Success(notification);
        }

        // Apple signs the nested JWS separately and its libraries do not verify them for us: do it here, each fully.
        AppleTransaction? transaction = null;
        if (signedTransactionInfo is not null)
        {
            var nested = VerifyTransaction(signedTransactionInfo);
            if (!nested.IsValid)
            {
                return AppleVerification<AppleNotification>.Fail(nested.Failure, $"data.signedTransactionInfo: {nested.FailureMessage}");
            }

            transaction = nested.Value;
        }

        AppleRenewalInfo? renewalInfo = null;
        if (signedRenewalInfo is not null)
        {
            var nested = VerifyRenewalInfo(signedRenewalInfo);
            if (!nested.IsValid)
            {
                return AppleVerification<AppleNotification>.Fail(nested.Failure, $"data.signedRenewalInfo: {nested.FailureMessage}");
            }

            renewalInfo = nested.Value;
        }

        return AppleVerification<AppleNotification>.Success(
            notification with { Data = notification.Data with { Transaction = transaction, RenewalInfo = renewalInfo } });
    }

    private AppleVerification<T> VerifyAndDecode<T>(string signedData, Func<JsonElement, T> decode, Func<T, Refusal?> checkApp)
        where T : class
    {
        var jws = AppleCompactJws.TryParse(signedData, out var failure, out var message);
        if (jws is null)
        {
            return AppleVerification<T>.Fail(failure, message!);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(jws.Payload);
        }
        catch (JsonException)
        {
            return AppleVerification<T>.Fail(AppleVerificationFailure.Malformed, "JWS payload is not valid JSON");
        }

        using (document)
        {
            DateTimeOffset validationTime;
            try
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    return AppleVerification<T>.Fail(AppleVerificationFailure.Malformed, "JWS payload is not a JSON object");
                }

                // Offline validation happens at signedDate; Apple's libraries fall back to "now" when it is absent.
                validationTime = AppleJsonReader.Date(document.RootElement, "signedDate") ?? _timeProvider.GetUtcNow();
            }
            catch (ApplePayloadFormatException exception)
            {
                return AppleVerification<T>.Fail(AppleVerificationFailure.Malformed, exception.Message);
            }

            var chain = _chainValidator.Validate(jws.LeafBase64, jws.IntermediateBase64, validationTime);
            if (chain.Chain is null)
            {
                return AppleVerification<T>.Fail(chain.Failure, chain.Message!);
            }

            if (!chain.Chain.VerifySignature(jws.SigningInput, jws.Signature))
            {
                return AppleVerification<T>.Fail(AppleVerificationFailure.BadSignature, "ES256 signature does not verify with the leaf certificate's key");
            }

            T value;
            try
            {
                value = decode(document.RootElement);
            }
            catch (ApplePayloadFormatException exception)
            {
                return AppleVerification<T>.Fail(AppleVerificationFailure.Malformed, exception.Message);
            }

            return checkApp(value) is { } refusal
                ? AppleVerification<T>.Fail(refusal.Failure, refusal.Message)
                : AppleVerification<T>.Success(value);
        }
    }

    private Refusal? CheckTransaction(AppleTransaction transaction) =>
        CheckBundle(transaction.BundleId) ?? CheckEnvironment(transaction.Environment);

    private Refusal? CheckNotification(AppleDecodedNotification decoded)
    {
        var notification = decoded.Notification;
        return CheckBundle(notification.BundleId)
            ?? CheckAppAppleId(notification.AppAppleId, notification.Environment)
            ?? CheckEnvironment(notification.Environment);
    }

    private Refusal? CheckBundle(string? bundleId) =>
        string.Equals(bundleId, _options.BundleId, StringComparison.Ordinal)
            ? null
            : new Refusal(AppleVerificationFailure.WrongBundle, "bundleId does not match the configured bundle");

    private Refusal? CheckEnvironment(string? environment) =>
        _options.AcceptsEnvironment(environment)
            ? null
            : new Refusal(AppleVerificationFailure.WrongEnvironment, "environment is not one this service accepts");

    /// <summary>
    /// Production verifiers pin appAppleId (any app's notification is Apple-signed). Sandbox notifications carry no
    /// appAppleId, so an absent one is tolerated only for Sandbox data we were told to accept.
    /// </summary>
    private Refusal? CheckAppAppleId(long? appAppleId, string? environment)
    {
        if (_options.Environment != AppleOptions.ProductionEnvironment || _options.AppAppleId is not { } expected)
        {
            return null;
        }

        if (appAppleId is { } actual)
        {
            return actual == expected ? null : WrongAppAppleId();
        }

        var isAcceptedSandbox = _options.AllowSandbox && environment == AppleOptions.SandboxEnvironment;
        return isAcceptedSandbox ? null : WrongAppAppleId();

        static Refusal WrongAppAppleId() =>
            new(AppleVerificationFailure.WrongAppAppleId, "appAppleId does not match the configured app");
    }

    private sealed record Refusal(AppleVerificationFailure Failure, string Message);
}
