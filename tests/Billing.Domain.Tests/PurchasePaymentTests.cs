using Billing.Domain.Catalog;
using Billing.Domain.Common;
using Billing.Domain.Purchases;
using static Billing.Domain.Tests.TestData;

namespace Billing.Domain.Tests;

public class PurchasePaymentTests
{
    public static TheoryData<string> PackIds => [.. ProductCatalog.Packs.Select(p => p.Id)];

    [Fact]
    public void StartStripeCheckout_NewSession_PendingAndOwesNothing()
    {
        var purchase = Purchase.StartStripeCheckout(User, ProductCatalog.Creator, "cs_1", T0);

        var started = EventAssert.RaisedSingle<PurchaseStarted>(purchase);
        Assert.Equal(purchase.Id, started.PurchaseId);
        Assert.Equal(ProductCatalog.Creator.Id, started.ProductId);
        Assert.Equal(PurchaseStatus.Pending, purchase.Status);
        Assert.Equal(PaymentProvider.Stripe, purchase.Provider);
        Assert.Equal(ProductCatalog.Creator.Id, purchase.ProductId);
        Assert.Equal(Credits.Of(150), purchase.Credits);
        Assert.Equal(Money.Usd(2499), purchase.Price);
        Assert.Equal("cs_1", purchase.ProviderPurchaseId);
        Assert.Equal(GrantKey.ForStripeCheckoutSession("cs_1"), purchase.GrantKey);
        Assert.Null(purchase.PaidAt);
        Assert.Empty(EventAssert.Grants(purchase));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void StartStripeCheckout_MissingSessionId_Throws(string sessionId)
    {
        var ex = Assert.Throws<InvalidDomainValueException>(() => Purchase.StartStripeCheckout(User, ProductCatalog.Starter, sessionId, T0));
        Assert.Equal("purchase.provider_id_missing", ex.Code);
    }

    [Theory]
    [MemberData(nameof(PackIds))]
    public void MarkPaid_StripePack_OwesPackCreditsAsStripePurchase(string packId)
    {
        var pack = (CreditPack)ProductCatalog.Get(packId);
        var purchase = PendingStripe(pack, "cs_abc");

        Assert.True(purchase.MarkPaid("pi_1", At(3)));

        var paid = EventAssert.RaisedSingle<PurchasePaid>(purchase);
        Assert.Equal(pack.Id, paid.ProductId);
        Assert.Equal(At(3), paid.OccurredAt);
        Assert.Equal(User, paid.Grant.UserId);
        Assert.Equal(pack.Credits.Value, paid.Grant.Amount);
        Assert.Equal(TransactionType.StripePurchase, paid.Grant.TransactionType);
        Assert.Equal(GrantKey.ForStripeCheckoutSession("cs_abc"), paid.Grant.Key);
        Assert.Contains(pack.Price.Display(), paid.Grant.Description, StringComparison.Ordinal);
        Assert.Equal(PurchaseStatus.Paid, purchase.Status);
        Assert.Equal("pi_1", purchase.ProviderPaymentId);
        Assert.Equal(At(3), purchase.PaidAt);
    }

    [Theory]
    [MemberData(nameof(PackIds))]
    public void RecordApplePurchase_Pack_PaidAtOnceAndOwesCreditsAsAppleIap(string packId)
    {
        var pack = (CreditPack)ProductCatalog.Get(packId);

        var purchase = Purchase.RecordApplePurchase(User, pack, "2000000999", "2000000001", null, At(1), At(2));

        var paid = EventAssert.RaisedSingle<PurchasePaid>(purchase);
        Assert.Equal(pack.Credits.Value, paid.Grant.Amount);
        Assert.Equal(TransactionType.AppleIap, paid.Grant.TransactionType);
        Assert.Equal(GrantKey.ForAppleTransaction("2000000999"), paid.Grant.Key);
        Assert.Equal(PurchaseStatus.Paid, purchase.Status);
        Assert.Equal(PaymentProvider.Apple, purchase.Provider);
        Assert.Equal("2000000001", purchase.ProviderPaymentId);
        Assert.Equal(At(1), purchase.PaidAt);
        Assert.Equal(At(2), purchase.CreatedAt);
        Assert.Equal(pack.Price, purchase.Price);
    }

    [Fact]
    public void RecordApplePurchase_PricePaidGiven_KeepsPricePaid()
    {
        var purchase = Purchase.RecordApplePurchase(User, ProductCatalog.Starter, "t1", null, Money.Of(349, "EUR"), At(1), At(2));

        Assert.Equal(Money.Of(349, "EUR"), purchase.Price);
        Assert.Null(purchase.ProviderPaymentId);
        Assert.Equal(10, EventAssert.RaisedSingle<PurchasePaid>(purchase).Grant.Amount);
    }

    [Fact]
    public void RecordApplePurchase_MissingTransactionId_Throws()
    {
        Assert.Throws<InvalidDomainValueException>(() => Purchase.RecordApplePurchase(User, ProductCatalog.Starter, " ", null, null, At(1), At(2)));
    }

    [Fact]
    public void MarkPaid_AlreadyPaid_ReturnsFalseAndOwesNothingMore()
    {
        var purchase = PaidStripe();

        Assert.False(purchase.MarkPaid("pi_other", At(9)));

        EventAssert.None(purchase);
        Assert.Equal(PurchaseStatus.Paid, purchase.Status);
        Assert.Equal("pi_1", purchase.ProviderPaymentId);
        Assert.Equal(At(1), purchase.PaidAt);
    }

    [Fact]
    public void MarkPaid_ApplePurchaseAgain_ReturnsFalse()
    {
        var purchase = PaidApple();

        Assert.False(purchase.MarkPaid(null, At(9)));
        EventAssert.None(purchase);
    }

    [Theory]
    [InlineData(PurchaseStatus.PartiallyRefunded)]
    [InlineData(PurchaseStatus.Refunded)]
    public void MarkPaid_AfterRefund_ReturnsFalseAndKeepsRefundStatus(PurchaseStatus status)
    {
        var purchase = PaidStripe();
        purchase.RecordRefund(GrantKey.ForStripeRefund("re_1"), status == PurchaseStatus.Refunded ? 999 : 100, At(5));
        purchase.ClearDomainEvents();

        Assert.False(purchase.MarkPaid("pi_1", At(9)));

        EventAssert.None(purchase);
        Assert.Equal(status, purchase.Status);
    }

    [Fact]
    public void MarkPaid_NullPaymentId_KeepsStatusPaid()
    {
        var purchase = PendingStripe();

        Assert.True(purchase.MarkPaid(null, At(3)));
        Assert.Null(purchase.ProviderPaymentId);
        Assert.Equal(PurchaseStatus.Paid, purchase.Status);
    }
}
