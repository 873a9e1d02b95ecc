using Billing.Domain.Catalog;
using Billing.Domain.Common;
using Billing.Domain.Purchases;
using static Billing.Domain.Tests.TestData;

namespace Billing.Domain.Tests;

public class PurchaseRefundTests
{
    private static readonly GrantKey Refund1 = GrantKey.ForStripeRefund("re_1");
    private static readonly GrantKey Refund2 = GrantKey.ForStripeRefund("re_2");

    [Fact]
    public void RecordRefund_Pending_ThrowsNotPaid()
    {
        var purchase = PendingStripe();

        var ex = Assert.Throws<DomainException>(() => purchase.RecordRefund(Refund1, 100, At(5)));

        Assert.Equal("purchase.not_paid", ex.Code);
        Assert.Equal(PurchaseStatus.Pending, purchase.Status);
        EventAssert.None(purchase);
    }

    [Fact]
    public void RecordFullRefund_Pending_ThrowsNotPaid()
    {
        Assert.Throws<DomainException>(() => PendingStripe().RecordFullRefund(Refund1, At(5)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1000)]
    [InlineData(long.MaxValue)]
    public void RecordRefund_AmountZeroNegativeOrOverPrice_Throws(long cumulative)
    {
        var purchase = PaidStripe(ProductCatalog.Explorer); // $9.99

        var ex = Assert.Throws<InvalidDomainValueException>(() => purchase.RecordRefund(Refund1, cumulative, At(5)));

        Assert.Equal("purchase.refund_amount", ex.Code);
        Assert.Equal(PurchaseStatus.Paid, purchase.Status);
        Assert.Equal(0, purchase.AmountRefundedMinor);
        EventAssert.None(purchase);
    }

    [Fact]
    public void RecordRefund_Full_ClawsBackAllCreditsAsNegativeRefund()
    {
        var purchase = PaidStripe(ProductCatalog.Creator); // 150 credits, $24.99

        Assert.True(purchase.RecordRefund(Refund1, 2499, At(5)));

        var events = EventAssert.Raised(purchase, typeof(PurchaseRefunded), typeof(PurchaseCreditsClawedBack));
        var refunded = Assert.IsType<PurchaseRefunded>(events[0]);
        Assert.Equal(PurchaseStatus.Refunded, refunded.Status);
        Assert.Equal(2499, refunded.AmountRefundedMinor);
        var clawback = Assert.IsType<PurchaseCreditsClawedBack>(events[1]).Grant;
        Assert.Equal(-150, clawback.Amount);
        Assert.Equal(TransactionType.Refund, clawback.TransactionType);
        Assert.Equal(Refund1, clawback.Key);
        Assert.Equal(User, clawback.UserId);
        Assert.Equal(PurchaseStatus.Refunded, purchase.Status);
        Assert.Equal(Credits.Of(150), purchase.CreditsClawedBack);
        Assert.Equal(2499, purchase.AmountRefundedMinor);
        Assert.Equal(At(5), purchase.RefundedAt);
    }

    [Fact]
    public void RecordRefund_PartialThenFull_ClawsBackProportionThenRemainder()
    {
        var purchase = PaidStripe(ProductCatalog.Studio); // 500 credits, $69.99

        Assert.True(purchase.RecordRefund(Refund1, 3500, At(5)));

        // 500 * 3500 / 6999 = 250.03… → 250 (rounded down).
        var first = EventAssert.Raised(purchase, typeof(PurchaseRefunded), typeof(PurchaseCreditsClawedBack));
        Assert.Equal(PurchaseStatus.PartiallyRefunded, Assert.IsType<PurchaseRefunded>(first[0]).Status);
        Assert.Equal(-250, Assert.IsType<PurchaseCreditsClawedBack>(first[1]).Grant.Amount);
        Assert.Equal(PurchaseStatus.PartiallyRefunded, purchase.Status);
        Assert.Equal(Credits.Of(250), purchase.CreditsClawedBack);
        purchase.ClearDomainEvents();

        Assert.True(purchase.RecordRefund(Refund2, 6999, At(6)));

        var second = EventAssert.Raised(purchase, typeof(PurchaseRefunded), typeof(PurchaseCreditsClawedBack));
        var clawback = Assert.IsType<PurchaseCreditsClawedBack>(second[1]).Grant;
        Assert.Equal(-250, clawback.Amount);
        Assert.Equal(Refund2, clawback.Key);
        Assert.Equal(PurchaseStatus.Refunded, purchase.Status);
        Assert.Equal(Credits.Of(500), purchase.CreditsClawedBack);
    }

    [Fact]
    public void RecordRefund_PartialRoundsDown_NeverClawsBackMoreThanPaidShare()
    {
        var purchase = PaidStripe(ProductCatalog.Starter); // 10 credits, $2.99

        Assert.True(purchase.RecordRefund(Refund1, 298, At(5)));

        // 10 * 298 / 299 = 9.97 → 9.
        Assert.Equal(-9, Assert.Single(EventAssert.Grants(purchase)).Amount);
        Assert.Equal(PurchaseStatus.PartiallyRefunded, purchase.Status);
    }

    [Fact]
    public void RecordRefund_TinyPartial_RefundedButNothingClawedBack()
    {
        var purchase = PaidStripe(ProductCatalog.Starter);

        Assert.True(purchase.RecordRefund(Refund1, 1, At(5)));

        EventAssert.Raised(purchase, typeof(PurchaseRefunded));
        Assert.Equal(PurchaseStatus.PartiallyRefunded, purchase.Status);
        Assert.Equal(Credits.Zero, purchase.CreditsClawedBack);
        Assert.Equal(1, purchase.AmountRefundedMinor);
    }

    [Fact]
    public void RecordRefund_SameCumulativeTwice_SecondOwesNothing()
    {
        var purchase = PaidStripe(ProductCatalog.Explorer);
        purchase.RecordRefund(Refund1, 500, At(5));
        purchase.ClearDomainEvents();

        Assert.False(purchase.RecordRefund(Refund1, 500, At(6)));
        Assert.False(purchase.RecordRefund(Refund2, 500, At(6)));

        EventAssert.None(purchase);
        Assert.Equal(500, purchase.AmountRefundedMinor);
    }

    [Fact]
    public void RecordRefund_OlderSmallerCumulativeAfterLarger_OwesNothing()
    {
        var purchase = PaidStripe(ProductCatalog.Explorer);
        purchase.RecordRefund(Refund2, 800, At(6));
        var clawedBack = purchase.CreditsClawedBack;
        purchase.ClearDomainEvents();

        Assert.False(purchase.RecordRefund(Refund1, 300, At(5)));

        EventAssert.None(purchase);
        Assert.Equal(800, purchase.AmountRefundedMinor);
        Assert.Equal(clawedBack, purchase.CreditsClawedBack);
    }

    [Fact]
    public void RecordRefund_FullTwice_SecondOwesNothing()
    {
        var purchase = PaidStripe(ProductCatalog.Explorer);
        purchase.RecordRefund(Refund1, 999, At(5));
        purchase.ClearDomainEvents();

        Assert.False(purchase.RecordRefund(Refund1, 999, At(6)));
        EventAssert.None(purchase);
    }

    [Fact]
    public void RecordFullRefund_ApplePurchase_ClawsBackEverything()
    {
        var purchase = PaidApple(ProductCatalog.Creator, "2000000123");
        var key = GrantKey.ForAppleRefund("2000000123");

        Assert.True(purchase.RecordFullRefund(key, At(5)));

        var events = EventAssert.Raised(purchase, typeof(PurchaseRefunded), typeof(PurchaseCreditsClawedBack));
        var clawback = Assert.IsType<PurchaseCreditsClawedBack>(events[1]).Grant;
        Assert.Equal(-150, clawback.Amount);
        Assert.Equal(TransactionType.Refund, clawback.TransactionType);
        Assert.Equal(key, clawback.Key);
        Assert.Equal(PurchaseStatus.Refunded, purchase.Status);
        Assert.Equal(purchase.Price.MinorUnits, purchase.AmountRefundedMinor);
    }

    [Fact]
    public void RecordFullRefund_AlreadyRefunded_ReturnsFalse()
    {
        var purchase = PaidApple();
        purchase.RecordFullRefund(GrantKey.ForAppleRefund("2000000123"), At(5));
        purchase.ClearDomainEvents();

        Assert.False(purchase.RecordFullRefund(GrantKey.ForAppleRefund("2000000123"), At(6)));
        EventAssert.None(purchase);
    }

    [Fact]
    public void RecordFullRefund_AfterPartial_ClawsBackOnlyRemainder()
    {
        var purchase = PaidStripe(ProductCatalog.Explorer); // 50 credits, $9.99
        purchase.RecordRefund(Refund1, 500, At(5)); // 50 * 500 / 999 = 25
        Assert.Equal(Credits.Of(25), purchase.CreditsClawedBack);
        purchase.ClearDomainEvents();

        Assert.True(purchase.RecordFullRefund(Refund2, At(6)));

        Assert.Equal(-25, Assert.Single(EventAssert.Grants(purchase)).Amount);
        Assert.Equal(Credits.Of(50), purchase.CreditsClawedBack);
    }

    [Fact]
    public void RecordRefund_AfterFullRefund_ReturnsFalse()
    {
        var purchase = PaidApple();
        purchase.RecordFullRefund(GrantKey.ForAppleRefund("2000000123"), At(5));
        purchase.ClearDomainEvents();

        Assert.False(purchase.RecordRefund(Refund1, 100, At(6)));
        EventAssert.None(purchase);
    }
}
