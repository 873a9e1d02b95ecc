namespace Billing.Application.Abstractions.Apple;

/// <summary>
/// Decoded JWSTransactionDecodedPayload. Enum-like values stay strings/ints so unknown future values
/// never break decoding. Dates are Apple's epoch milliseconds (fractions truncated).
/// </summary>
/// <remarks>
/// <para>TransactionId: Unique per purchase/renewal/restore: the idempotency key for granting.</para>
/// <para>Type: "Consumable", "Non-Consumable", "Auto-Renewable Subscription", "Non-Renewing Subscription".</para>
/// <para>AppAccountToken: UUID the app set at purchase; binds the transaction to our user.</para>
/// <para>InAppOwnershipType: "PURCHASED" or "FAMILY_SHARED".</para>
/// <para>RevocationReason: 0 = refunded for another reason, 1 = refunded due to an app issue.</para>
/// <para>OfferType: 1 intro, 2 promotional, 3 offer code, 4 win-back.</para>
/// <para>Environment: "Production" or "Sandbox" once verified.</para>
/// <para>TransactionReason: "PURCHASE" or "RENEWAL".</para>
/// <para>Price: Milliunits of Currency (4990 = 4.99); for reporting only.</para>
/// <para>RevocationType: "REFUND_FULL", "REFUND_PRORATED", "FAMILY_REVOKE".</para>
/// <para>RevocationPercentage: Milliunits of a percent (50000 = 50%).</para>
/// </remarks>
public sealed record AppleTransaction(
    string? TransactionId,
    string? OriginalTransactionId,
    string? WebOrderLineItemId,
    string? BundleId,
    string? ProductId,
    string? SubscriptionGroupIdentifier,
    DateTimeOffset? PurchaseDate,
    DateTimeOffset? OriginalPurchaseDate,
    DateTimeOffset? ExpiresDate,
    int? Quantity,
    string? Type,
    Guid? AppAccountToken,
    string? InAppOwnershipType,
    DateTimeOffset? SignedDate,
    int? RevocationReason,
    DateTimeOffset? RevocationDate,
    bool? IsUpgraded,
    int? OfferType,
    string? OfferIdentifier,
    string? Environment,
    string? Storefront,
    string? StorefrontId,
    string? TransactionReason,
    string? Currency,
    long? Price,
    string? RevocationType,
    int? RevocationPercentage,
    string? AppTransactionId);
