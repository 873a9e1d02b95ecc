using Billing.Domain.Common;

namespace Billing.Domain.Tests;

public class TransactionTypeTests
{
    [Theory]
    [InlineData(TransactionType.StripePurchase, "stripe_purchase")]
    [InlineData(TransactionType.AppleIap, "apple_iap")]
    [InlineData(TransactionType.SubscriptionGrant, "subscription_grant")]
    [InlineData(TransactionType.Refund, "refund")]
    public void ToWire_EachType_ExactFlashName(TransactionType type, string wire)
    {
        Assert.Equal(wire, type.ToWire());
        Assert.Equal(type, TransactionTypeNames.FromWire(wire));
    }

    [Fact]
    public void ToWireFromWire_EveryDefinedType_RoundTrips()
    {
        foreach (var type in Enum.GetValues<TransactionType>())
        {
            Assert.Equal(type, TransactionTypeNames.FromWire(type.ToWire()));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("admin_grant")]
    [InlineData("Stripe_Purchase")]
    [InlineData("STRIPE_PURCHASE")]
    [InlineData("stripe_purchase ")]
    [InlineData("stripe-purchase")]
    [InlineData("StripePurchase")]
    public void FromWire_UnknownOrMiscased_Throws(string value)
    {
        var ex = Assert.Throws<InvalidDomainValueException>(() => TransactionTypeNames.FromWire(value));
        Assert.Equal("transaction_type.unknown", ex.Code);
    }

    [Fact]
    public void ToWire_UndefinedValue_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ((TransactionType)99).ToWire());
    }
}
