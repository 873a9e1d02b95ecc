namespace Billing.Application.Abstractions.Apple;

/// <summary>Decoded JWSRenewalInfoDecodedPayload. Dates are Apple's epoch milliseconds (fractions truncated).</summary>
/// <remarks>
/// <para>AutoRenewStatus: 0 off, 1 on.</para>
/// <para>ExpirationIntent: 1 customer cancelled, 2 billing error, 3 declined price increase, 4 product unavailable, 5 other.</para>
/// <para>RenewalPrice: Milliunits of Currency.</para>
/// </remarks>
public sealed record AppleRenewalInfo(
    string? OriginalTransactionId,
    string? AutoRenewProductId,
    string? ProductId,
    int? AutoRenewStatus,
    int? ExpirationIntent,
    DateTimeOffset? GracePeriodExpiresDate,
    bool? IsInBillingRetryPeriod,
    int? PriceIncreaseStatus,
    int? OfferType,
    string? OfferIdentifier,
    DateTimeOffset? SignedDate,
    string? Environment,
    DateTimeOffset? RecentSubscriptionStartDate,
    DateTimeOffset? RenewalDate,
    long? RenewalPrice,
    string? Currency,
    Guid? AppAccountToken,
    string? AppTransactionId);
