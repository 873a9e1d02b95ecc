namespace Billing.Application.Abstractions.Apple;

/// <summary>
/// Decoded App Store Server Notification V2 (ResponseBodyV2DecodedPayload).
/// <see cref="BundleId"/>, <see cref="Environment"/> and <see cref="AppAppleId"/> are the app identity the checks used,
/// taken from <c>data</c>, else <c>summary</c>, else <c>externalPurchaseToken</c>, else <c>appData</c>.
/// </summary>
/// <remarks>
/// <para>NotificationType: E.g. "SUBSCRIBED", "ONE_TIME_CHARGE", "REFUND", "TEST"; unknown values are kept.</para>
/// <para>NotificationUuid: Apple reuses it on retries: the dedup key.</para>
/// </remarks>
public sealed record AppleNotification(
    string? NotificationType,
    string? Subtype,
    string? NotificationUuid,
    string? Version,
    DateTimeOffset? SignedDate,
    string? BundleId,
    string? Environment,
    long? AppAppleId,
    AppleNotificationData? Data);

/// <summary>
/// The <c>data</c> object of a notification. The nested JWS strings are not exposed: they were verified,
/// and their decoded content is in <see cref="Transaction"/> / <see cref="RenewalInfo"/>.
/// </summary>
/// <remarks>
/// <para>Status: 1 active, 2 expired, 3 billing retry, 4 grace period, 5 revoked.</para>
/// </remarks>
public sealed record AppleNotificationData(
    long? AppAppleId,
    string? BundleId,
    string? BundleVersion,
    string? Environment,
    int? Status,
    string? ConsumptionRequestReason,
    AppleTransaction? Transaction,
    AppleRenewalInfo? RenewalInfo);
