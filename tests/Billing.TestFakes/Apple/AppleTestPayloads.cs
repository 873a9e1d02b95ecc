using System.Text.Json.Nodes;

namespace Billing.TestFakes.Apple;

/// <summary>A StoreKit 2 transaction payload; defaults are a valid one-off Starter pack purchase in Production.</summary>
public sealed record AppleTestTransaction
{
    public string TransactionId { get; init; } = "2000000000000001";

    /// <summary>Defaults to <see cref="TransactionId"/> (as for one-off products).</summary>
    public string? OriginalTransactionId { get; init; }

    public string ProductId { get; init; } = "com.timepoint.flash.credits.10";

    public string? BundleId { get; init; } = AppleTestPki.DefaultBundleId;

    public string? Environment { get; init; } = "Production";

    /// <summary>"Consumable", "Non-Consumable", "Auto-Renewable Subscription", "Non-Renewing Subscription".</summary>
    public string Type { get; init; } = "Consumable";

    public int Quantity { get; init; } = 1;

    public Guid? AppAccountToken { get; init; }

    /// <summary>Defaults to <see cref="SignedDate"/>.</summary>
    public DateTimeOffset? PurchaseDate { get; init; }

    public DateTimeOffset? OriginalPurchaseDate { get; init; }

    public DateTimeOffset? ExpiresDate { get; init; }

    public DateTimeOffset? RevocationDate { get; init; }

    /// <summary>Set with <see cref="RevocationDate"/>: 0 other reason, 1 app issue.</summary>
    public int? RevocationReason { get; init; }

    /// <summary>Defaults to the time of signing. The verifier validates the chain at this time.</summary>
    public DateTimeOffset? SignedDate { get; init; }

    public string? WebOrderLineItemId { get; init; }

    public string? SubscriptionGroupIdentifier { get; init; }

    public string InAppOwnershipType { get; init; } = "PURCHASED";

    public string TransactionReason { get; init; } = "PURCHASE";

    public string Storefront { get; init; } = "USA";

    public string Currency { get; init; } = "USD";

    /// <summary>Milliunits (2990 = 2.99).</summary>
    public long Price { get; init; } = 2990;

    /// <summary>1 intro, 2 promotional, 3 offer code, 4 win-back; left out when null.</summary>
    public int? OfferType { get; init; }

    /// <summary>FREE_TRIAL, PAY_AS_YOU_GO, PAY_UP_FRONT, ONE_TIME; left out when null.</summary>
    public string? OfferDiscountType { get; init; }

    /// <summary>A higher subscription replaced this one; left out when null.</summary>
    public bool? IsUpgraded { get; init; }

    public string ToJson()
    {
        var signedDate = SignedDate ?? DateTimeOffset.UtcNow;
        var json = new JsonObject
        {
            ["transactionId"] = TransactionId,
            ["originalTransactionId"] = OriginalTransactionId ?? TransactionId,
            ["productId"] = ProductId,
            ["quantity"] = Quantity,
            ["type"] = Type,
            ["inAppOwnershipType"] = InAppOwnershipType,
            ["transactionReason"] = TransactionReason,
            ["storefront"] = Storefront,
            ["storefrontId"] = "143441",
            ["currency"] = Currency,
            ["price"] = Price,
            ["purchaseDate"] = (PurchaseDate ?? signedDate).ToUnixTimeMilliseconds(),
            ["originalPurchaseDate"] = (OriginalPurchaseDate ?? PurchaseDate ?? signedDate).ToUnixTimeMilliseconds(),
            ["signedDate"] = signedDate.ToUnixTimeMilliseconds(),
        };
        AddIfSet(json, "bundleId", BundleId);
        AddIfSet(json, "environment", Environment);
        AddIfSet(json, "appAccountToken", AppAccountToken?.ToString());
        AddIfSet(json, "webOrderLineItemId", WebOrderLineItemId);
        AddIfSet(json, "subscriptionGroupIdentifier", SubscriptionGroupIdentifier);
        AddIfSet(json, "expiresDate", ExpiresDate?.ToUnixTimeMilliseconds());
        AddIfSet(json, "revocationDate", RevocationDate?.ToUnixTimeMilliseconds());
        AddIfSet(json, "revocationReason", RevocationReason);
        AddIfSet(json, "offerType", OfferType);
        AddIfSet(json, "offerDiscountType", OfferDiscountType);
        AddIfSet(json, "isUpgraded", IsUpgraded);
        return json.ToJsonString();
    }

    // JsonNode converts implicitly from string/int?/long?; a null conversion means "leave the field out".
    internal static void AddIfSet(JsonObject json, string name, JsonNode? value)
    {
        if (value is not null)
        {
            json[name] = value;
        }
    }
}

/// <summary>A renewal-info payload; defaults are an auto-renewing Explorer subscription in Production.</summary>
public sealed record AppleTestRenewalInfo
{
    public string OriginalTransactionId { get; init; } = "2000000000000001";

    public string ProductId { get; init; } = "com.timepoint.flash.sub.explorer";

    /// <summary>Defaults to <see cref="ProductId"/>.</summary>
    public string? AutoRenewProductId { get; init; }

    public int AutoRenewStatus { get; init; } = 1;

    public int? ExpirationIntent { get; init; }

    public bool IsInBillingRetryPeriod { get; init; }

    public DateTimeOffset? GracePeriodExpiresDate { get; init; }

    public DateTimeOffset? RenewalDate { get; init; }

    public string? Environment { get; init; } = "Production";

    public Guid? AppAccountToken { get; init; }

    /// <summary>Defaults to the time of signing.</summary>
    public DateTimeOffset? SignedDate { get; init; }

    public string ToJson()
    {
        var json = new JsonObject
        {
            ["originalTransactionId"] = OriginalTransactionId,
            ["productId"] = ProductId,
            ["autoRenewProductId"] = AutoRenewProductId ?? ProductId,
            ["autoRenewStatus"] = AutoRenewStatus,
            ["isInBillingRetryPeriod"] = IsInBillingRetryPeriod,
            ["signedDate"] = (SignedDate ?? DateTimeOffset.UtcNow).ToUnixTimeMilliseconds(),
        };
        AppleTestTransaction.AddIfSet(json, "environment", Environment);
        AppleTestTransaction.AddIfSet(json, "expirationIntent", ExpirationIntent);
        AppleTestTransaction.AddIfSet(json, "gracePeriodExpiresDate", GracePeriodExpiresDate?.ToUnixTimeMilliseconds());
        AppleTestTransaction.AddIfSet(json, "renewalDate", RenewalDate?.ToUnixTimeMilliseconds());
        AppleTestTransaction.AddIfSet(json, "appAccountToken", AppAccountToken?.ToString());
        return json.ToJsonString();
    }
}

/// <summary>
/// An App Store Server Notification V2; <see cref="Transaction"/> and <see cref="RenewalInfo"/> are signed separately and
/// nested as <c>data.signedTransactionInfo</c> / <c>data.signedRenewalInfo</c> by <see cref="AppleTestPki.SignNotification(AppleTestNotification, AppleJwsOptions?)"/>.
/// </summary>
public sealed record AppleTestNotification
{
    public string NotificationType { get; init; } = "ONE_TIME_CHARGE";

    public string? Subtype { get; init; }

    public Guid NotificationUuid { get; init; } = Guid.NewGuid();

    public string? BundleId { get; init; } = AppleTestPki.DefaultBundleId;

    public string? Environment { get; init; } = "Production";

    /// <summary>Apple omits it in Sandbox.</summary>
    public long? AppAppleId { get; init; } = AppleTestPki.DefaultAppAppleId;

    public string BundleVersion { get; init; } = "1.0";

    /// <summary>1 active, 2 expired, 3 billing retry, 4 grace period, 5 revoked.</summary>
    public int? Status { get; init; }

    public AppleTestTransaction? Transaction { get; init; }

    public AppleTestRenewalInfo? RenewalInfo { get; init; }

    /// <summary>Defaults to the time of signing.</summary>
    public DateTimeOffset? SignedDate { get; init; }

    /// <summary>Builds the payload around already-signed nested JWS (null leaves them out).</summary>
    public string ToJson(string? signedTransactionInfo, string? signedRenewalInfo)
    {
        var data = new JsonObject { ["bundleVersion"] = BundleVersion };
        AppleTestTransaction.AddIfSet(data, "bundleId", BundleId);
        AppleTestTransaction.AddIfSet(data, "environment", Environment);
        AppleTestTransaction.AddIfSet(data, "appAppleId", AppAppleId);
        AppleTestTransaction.AddIfSet(data, "status", Status);
        AppleTestTransaction.AddIfSet(data, "signedTransactionInfo", signedTransactionInfo);
        AppleTestTransaction.AddIfSet(data, "signedRenewalInfo", signedRenewalInfo);

        var json = new JsonObject
        {
            ["notificationType"] = NotificationType,
            ["notificationUUID"] = NotificationUuid.ToString(),
            ["version"] = "2.0",
            ["signedDate"] = (SignedDate ?? DateTimeOffset.UtcNow).ToUnixTimeMilliseconds(),
            ["data"] = data,
        };
        AppleTestTransaction.AddIfSet(json, "subtype", Subtype);
        return json.ToJsonString();
    }
}
