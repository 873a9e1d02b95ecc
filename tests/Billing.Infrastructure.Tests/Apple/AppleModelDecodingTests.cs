using System.Text;
using System.Text.Json;
using Billing.Infrastructure.Apple;

namespace Billing.Infrastructure.Tests.Apple;

/// <summary>Apple's full-field model payloads (apple-test/models, decode-only) through the strict readers.</summary>
public sealed class AppleModelDecodingTests
{
    private static JsonDocument Model(string name) => JsonDocument.Parse(File.ReadAllText(AppleVectors.PathOf("apple-test", "models", name)));

    private static DateTimeOffset Ms(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);

    [Fact]
    public void SignedTransaction_decodes_every_field()
    {
        using var json = Model("signedTransaction.json");

        var t = AppleModelReader.ReadTransaction(json.RootElement);

        Assert.Equal("23456", t.TransactionId);
        Assert.Equal("12345", t.OriginalTransactionId);
        Assert.Equal("34343", t.WebOrderLineItemId);
        Assert.Equal("com.example", t.BundleId);
        Assert.Equal("com.example.product", t.ProductId);
        Assert.Equal("55555", t.SubscriptionGroupIdentifier);
        Assert.Equal(Ms(1698148900000), t.PurchaseDate);
        Assert.Equal(Ms(1698148800000), t.OriginalPurchaseDate);
        Assert.Equal(Ms(1698149000000), t.ExpiresDate);
        Assert.Equal(1, t.Quantity);
        Assert.Equal("Auto-Renewable Subscription", t.Type);
        Assert.Equal(Guid.Parse("7e3fb20b-4cdb-47cc-936d-99d65f608138"), t.AppAccountToken);
        Assert.Equal("PURCHASED", t.InAppOwnershipType);
        Assert.Equal(Ms(1698148900000), t.SignedDate);
        Assert.Equal(1, t.RevocationReason);
        Assert.Equal(Ms(1698148950000), t.RevocationDate);
        Assert.True(t.IsUpgraded);
        Assert.Equal(1, t.OfferType);
        Assert.Equal("abc.123", t.OfferIdentifier);
        Assert.Equal("LocalTesting", t.Environment);
        Assert.Equal("PURCHASE", t.TransactionReason);
        Assert.Equal("USA", t.Storefront);
        Assert.Equal("143441", t.StorefrontId);
        Assert.Equal(10990, t.Price);
        Assert.Equal("USD", t.Currency);
        Assert.Equal("71134", t.AppTransactionId);
    }

    [Fact]
    public void SignedTransactionWithRevocation_decodes_revocation_type_and_percentage()
    {
        using var json = Model("signedTransactionWithRevocation.json");

        var t = AppleModelReader.ReadTransaction(json.RootElement);

        Assert.Equal("REFUND_PRORATED", t.RevocationType);
        Assert.Equal(50000, t.RevocationPercentage);
        Assert.Equal(Ms(1698148950000), t.RevocationDate);
    }

    [Fact]
    public void SignedRenewalInfo_decodes_every_field()
    {
        using var json = Model("signedRenewalInfo.json");

        var r = AppleModelReader.ReadRenewalInfo(json.RootElement);

        Assert.Equal(1, r.ExpirationIntent);
        Assert.Equal("12345", r.OriginalTransactionId);
        Assert.Equal("com.example.product.2", r.AutoRenewProductId);
        Assert.Equal("com.example.product", r.ProductId);
        Assert.Equal(1, r.AutoRenewStatus);
        Assert.True(r.IsInBillingRetryPeriod);
        Assert.Equal(0, r.PriceIncreaseStatus);
        Assert.Equal(Ms(1698148900000), r.GracePeriodExpiresDate);
        Assert.Equal(2, r.OfferType);
        Assert.Equal("abc.123", r.OfferIdentifier);
        Assert.Equal(Ms(1698148800000), r.SignedDate);
        Assert.Equal("LocalTesting", r.Environment);
        Assert.Equal(Ms(1698148800000), r.RecentSubscriptionStartDate);
        Assert.Equal(Ms(1698148850000), r.RenewalDate);
        Assert.Equal(9990, r.RenewalPrice);
        Assert.Equal("USD", r.Currency);
        Assert.Equal(Guid.Parse("7e3fb20b-4cdb-47cc-936d-99d65f608138"), r.AppAccountToken);
        Assert.Equal("71134", r.AppTransactionId);
    }

    [Fact]
    public void SignedNotification_decodes_data_and_keeps_nested_JWS_for_verification()
    {
        using var json = Model("signedNotification.json");

        var decoded = AppleModelReader.ReadNotification(json.RootElement);

        var n = decoded.Notification;
        Assert.Equal("SUBSCRIBED", n.NotificationType);
        Assert.Equal("INITIAL_BUY", n.Subtype);
        Assert.Equal("002e14d5-51f5-4503-b5a8-c3a1af68eb20", n.NotificationUuid);
        Assert.Equal("2.0", n.Version);
        Assert.Equal(Ms(1698148900000), n.SignedDate);
        Assert.Equal("com.example", n.BundleId);
        Assert.Equal("LocalTesting", n.Environment);
        Assert.Equal(41234, n.AppAppleId);
        Assert.NotNull(n.Data);
        Assert.Equal("1.2.3", n.Data.BundleVersion);
        Assert.Equal(1, n.Data.Status);
        Assert.Equal("signed_transaction_info_value", decoded.SignedTransactionInfo);
        Assert.Equal("signed_renewal_info_value", decoded.SignedRenewalInfo);
    }

    [Fact]
    public void ConsumptionRequest_notification_decodes_the_reason()
    {
        using var json = Model("signedConsumptionRequestNotification.json");

        var n = AppleModelReader.ReadNotification(json.RootElement).Notification;

        Assert.Equal("CONSUMPTION_REQUEST", n.NotificationType);
        Assert.Equal("UNINTENDED_PURCHASE", n.Data?.ConsumptionRequestReason);
    }

    [Fact]
    public void Summary_notification_takes_app_identity_from_summary()
    {
        using var json = Model("signedSummaryNotification.json");

        var n = AppleModelReader.ReadNotification(json.RootElement).Notification;

        Assert.Equal("RENEWAL_EXTENSION", n.NotificationType);
        Assert.Null(n.Data);
        Assert.Equal("com.example", n.BundleId);
        Assert.Equal("LocalTesting", n.Environment);
        Assert.Equal(41234, n.AppAppleId);
    }

    [Theory]
    [InlineData("signedExternalPurchaseTokenNotification.json", "Production")]
    [InlineData("signedExternalPurchaseTokenSandboxNotification.json", "Sandbox")]
    public void ExternalPurchaseToken_notification_derives_the_environment_from_the_id(string file, string environment)
    {
        using var json = Model(file);

        var n = AppleModelReader.ReadNotification(json.RootElement).Notification;

        Assert.Equal(environment, n.Environment);
        Assert.Equal("com.example", n.BundleId);
        Assert.Equal(55555, n.AppAppleId);
    }

    [Fact]
    public void RescindConsent_notification_takes_app_identity_from_appData()
    {
        using var json = Model("signedRescindConsentNotification.json");

        var n = AppleModelReader.ReadNotification(json.RootElement).Notification;

        Assert.Equal("RESCIND_CONSENT", n.NotificationType);
        Assert.Equal("com.example", n.BundleId);
        Assert.Equal(41234, n.AppAppleId);
    }

    [Fact]
    public void Xcode_fractional_millisecond_timestamps_are_truncated()
    {
        var token = AppleVectors.ReadToken("apple-test", "xcode", "xcode-signed-transaction");
        using var json = JsonDocument.Parse(Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(token.Split('.')[1])));

        var t = AppleModelReader.ReadTransaction(json.RootElement);

        Assert.Equal(Ms(1697679936049), t.PurchaseDate);
        Assert.Equal("pass.premium", t.ProductId);
        Assert.Equal("com.example.naturelab.backyardbirds.example", t.BundleId);
        Assert.Equal("Xcode", t.Environment);
    }
}
