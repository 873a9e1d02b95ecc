namespace Billing.Application.Abstractions.Apple;

/// <summary>
/// The App Store Server API calls billing makes (Infrastructure signs each request with an ES256 JWT). Signed data comes
/// back as Apple sent it (compact JWS), to be verified by <see cref="IAppleSignedDataVerifier"/> like any other.
/// Failures throw <see cref="AppStoreServerApiException"/>.
/// </summary>
public interface IAppStoreServerApi
{
    /// <summary>True when the key, key id, issuer id and bundle id are all set.</summary>
    bool IsConfigured { get; }

    /// <summary>Get Notification History: notifications Apple sent (or tried to) between two times, a page at a time.</summary>
    Task<AppleNotificationHistoryPage> GetNotificationHistoryAsync(DateTimeOffset start, DateTimeOffset end, string? paginationToken, CancellationToken cancellationToken);

    /// <summary>Get Transaction History (v2) of the customer who owns <paramref name="transactionId"/>, a page at a time.</summary>
    Task<AppleTransactionHistoryPage> GetTransactionHistoryAsync(string transactionId, string? revision, CancellationToken cancellationToken);

    /// <summary>Send Consumption Information in answer to a CONSUMPTION_REQUEST.</summary>
    Task SendConsumptionInformationAsync(string transactionId, AppleConsumptionInformation information, CancellationToken cancellationToken);
}

/// <remarks>
/// <para><c>SignedPayloads</c>: Each notification's <c>signedPayload</c> (the body Apple POSTs is <c>{"signedPayload": …}</c>).</para>
/// </remarks>
public sealed record AppleNotificationHistoryPage(IReadOnlyList<string> SignedPayloads, string? PaginationToken, bool HasMore);

public sealed record AppleTransactionHistoryPage(IReadOnlyList<string> SignedTransactions, string? Revision, bool HasMore);

/// <summary>
/// What we tell Apple about a consumable's use (Apple's ConsumptionRequest fields; the enum values are Apple's).
/// </summary>
/// <remarks>
/// <para><c>ConsumptionStatus</c>: 0 undeclared, 1 not consumed, 2 partially consumed, 3 fully consumed.</para>
/// <para><c>DeliveryStatus</c>: 0 delivered and working, 3 not delivered for another reason.</para>
/// <para><c>AccountTenure</c>: 0 undeclared, 1: 0–3 days, 2: 3–10, 3: 10–30, 4: 30–90, 5: 90–180, 6: 180–365, 7: over 365 days.</para>
/// <para><c>AppAccountToken</c>: The UUID the app set at purchase, or empty.</para>
/// </remarks>
public sealed record AppleConsumptionInformation(
    bool CustomerConsented,
    int ConsumptionStatus,
    int DeliveryStatus,
    int AccountTenure,
    string AppAccountToken,
    bool SampleContentProvided = false,
    int Platform = 1,
    int PlayTime = 0,
    int LifetimeDollarsPurchased = 0,
    int LifetimeDollarsRefunded = 0,
    int UserStatus = 1,
    int RefundPreference = 0);

/// <summary>The App Store Server API refused or could not be reached; <see cref="StatusCode"/> is null when no answer came.</summary>
public sealed class AppStoreServerApiException(string message, int? statusCode, long? errorCode = null, Exception? inner = null)
    : Exception(message, inner)
{
    public int? StatusCode { get; } = statusCode;

    public long? ErrorCode { get; } = errorCode;
}
