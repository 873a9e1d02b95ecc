using System.Text.Json;
using Billing.Application.Abstractions.Apple;
using static Billing.Infrastructure.Apple.AppleJsonReader;

namespace Billing.Infrastructure.Apple;

/// <summary>Maps decoded Apple payload JSON to the port's records. Throws <see cref="ApplePayloadFormatException"/> on wrong types.</summary>
internal static class AppleModelReader
{
    public static AppleTransaction ReadTransaction(JsonElement json)
    {
        RequireObject(json);
        return new AppleTransaction(
            TransactionId: String(json, "transactionId"),
            OriginalTransactionId: String(json, "originalTransactionId"),
            WebOrderLineItemId: String(json, "webOrderLineItemId"),
            BundleId: String(json, "bundleId"),
            ProductId: String(json, "productId"),
            SubscriptionGroupIdentifier: String(json, "subscriptionGroupIdentifier"),
            PurchaseDate: Date(json, "purchaseDate"),
            OriginalPurchaseDate: Date(json, "originalPurchaseDate"),
            ExpiresDate: Date(json, "expiresDate"),
            Quantity: Int32(json, "quantity"),
            Type: String(json, "type"),
            AppAccountToken: Uuid(json, "appAccountToken"),
            InAppOwnershipType: String(json, "inAppOwnershipType"),
            SignedDate: Date(json, "signedDate"),
            RevocationReason: Int32(json, "revocationReason"),
            RevocationDate: Date(json, "revocationDate"),
            IsUpgraded: Boolean(json, "isUpgraded"),
            OfferType: Int32(json, "offerType"),
            OfferIdentifier: String(json, "offerIdentifier"),
            Environment: String(json, "environment"),
            Storefront: String(json, "storefront"),
            StorefrontId: String(json, "storefrontId"),
            TransactionReason: String(json, "transactionReason"),
            Currency: String(json, "currency"),
            Price: Int64(json, "price"),
            RevocationType: String(json, "revocationType"),
            RevocationPercentage: Int32(json, "revocationPercentage"),
            AppTransactionId: String(json, "appTransactionId"));
    }

    public static AppleRenewalInfo ReadRenewalInfo(JsonElement json)
    {
        RequireObject(json);
        return new AppleRenewalInfo(
            OriginalTransactionId: String(json, "originalTransactionId"),
            AutoRenewProductId: String(json, "autoRenewProductId"),
            ProductId: String(json, "productId"),
            AutoRenewStatus: Int32(json, "autoRenewStatus"),
            ExpirationIntent: Int32(json, "expirationIntent"),
            GracePeriodExpiresDate: Date(json, "gracePeriodExpiresDate"),
            IsInBillingRetryPeriod: Boolean(json, "isInBillingRetryPeriod"),
            PriceIncreaseStatus: Int32(json, "priceIncreaseStatus"),
            OfferType: Int32(json, "offerType"),
            OfferIdentifier: String(json, "offerIdentifier"),
            SignedDate: Date(json, "signedDate"),
            Environment: String(json, "environment"),
            RecentSubscriptionStartDate: Date(json, "recentSubscriptionStartDate"),
            RenewalDate: Date(json, "renewalDate"),
            RenewalPrice: Int64(json, "renewalPrice"),
            Currency: String(json, "currency"),
            AppAccountToken: Uuid(json, "appAccountToken"),
            AppTransactionId: String(json, "appTransactionId"));
    }

    /// <summary>
    /// Reads the outer notification. The nested JWS strings are returned as-is for separate verification;
    /// <see cref="AppleNotificationData.Transaction"/>/<see cref="AppleNotificationData.RenewalInfo"/> are filled in afterwards.
    /// </summary>
    public static AppleDecodedNotification ReadNotification(JsonElement json)
    {
        RequireObject(json);
        var data = Object(json, "data");
        var summary = Object(json, "summary");
        var externalPurchaseToken = Object(json, "externalPurchaseToken");
        var appData = Object(json, "appData");

        // Same precedence as Apple's libraries: data, else summary, else externalPurchaseToken, else appData.
        string? bundleId;
        string? environment;
        long? appAppleId;
        if (data is { } d)
        {
            (bundleId, environment, appAppleId) = (String(d, "bundleId"), String(d, "environment"), Int64(d, "appAppleId"));
        }
        else if (summary is { } s)
        {
            (bundleId, environment, appAppleId) = (String(s, "bundleId"), String(s, "environment"), Int64(s, "appAppleId"));
        }
        else if (externalPurchaseToken is { } e)
        {
            var externalPurchaseId = String(e, "externalPurchaseId");
            environment = externalPurchaseId is not null && externalPurchaseId.StartsWith("SANDBOX", StringComparison.Ordinal)
                ? AppleOptions.SandboxEnvironment
                : AppleOptions.ProductionEnvironment;
            (bundleId, appAppleId) = (String(e, "bundleId"), Int64(e, "appAppleId"));
        }
        else if (appData is { } a)
        {
            (bundleId, environment, appAppleId) = (String(a, "bundleId"), String(a, "environment"), Int64(a, "appAppleId"));
        }
        else
        {
            (bundleId, environment, appAppleId) = (null, null, null);
        }

        AppleNotificationData? notificationData = null;
        string? signedTransactionInfo = null;
        string? signedRenewalInfo = null;
        if (data is { } payloadData)
        {
            notificationData = new AppleNotificationData(
                AppAppleId: Int64(payloadData, "appAppleId"),
                BundleId: String(payloadData, "bundleId"),
                BundleVersion: String(payloadData, "bundleVersion"),
                Environment: String(payloadData, "environment"),
                Status: Int32(payloadData, "status"),
                ConsumptionRequestReason: String(payloadData, "consumptionRequestReason"),
                Transaction: null,
                RenewalInfo: null);
            signedTransactionInfo = String(payloadData, "signedTransactionInfo");
            signedRenewalInfo = String(payloadData, "signedRenewalInfo");
        }

        var notification = new AppleNotification(
            NotificationType: String(json, "notificationType"),
            Subtype: String(json, "subtype"),
            NotificationUuid: String(json, "notificationUUID"),
            Version: String(json, "version"),
            SignedDate: Date(json, "signedDate"),
            BundleId: bundleId,
            Environment: environment,
            AppAppleId: appAppleId,
            Data: notificationData);
        return new AppleDecodedNotification(notification, signedTransactionInfo, signedRenewalInfo);
    }

    private static void RequireObject(JsonElement json)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw new ApplePayloadFormatException("$");
        }
    }
}

/// <summary>A decoded notification whose nested JWS are still to be verified.</summary>
internal sealed record AppleDecodedNotification(AppleNotification Notification, string? SignedTransactionInfo, string? SignedRenewalInfo);
