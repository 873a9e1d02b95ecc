using Billing.Domain.Common;

namespace Billing.Domain.Tests;

public class GrantKeyTests
{
    private static readonly Func<string, GrantKey>[] Factories =
    [
        GrantKey.ForStripeCheckoutSession,
        GrantKey.ForStripeInvoice,
        GrantKey.ForStripeRefund,
        GrantKey.ForStripeDispute,
        GrantKey.ForAppleTransaction,
        GrantKey.ForAppleRefund,
        GrantKey.ForAppleRefundReversal,
    ];

    [Fact]
    public void Factories_KnownIds_ProduceProviderKindIdValues()
    {
        Assert.Equal("stripe:checkout:cs_123", GrantKey.ForStripeCheckoutSession("cs_123").Value);
        Assert.Equal("stripe:invoice:in_123", GrantKey.ForStripeInvoice("in_123").Value);
        Assert.Equal("stripe:refund:re_123", GrantKey.ForStripeRefund("re_123").Value);
        Assert.Equal("stripe:dispute:dp_123", GrantKey.ForStripeDispute("dp_123").Value);
        Assert.Equal("apple:transaction:2000000123", GrantKey.ForAppleTransaction("2000000123").Value);
        Assert.Equal("apple:refund:2000000123", GrantKey.ForAppleRefund("2000000123").Value);
        Assert.Equal("apple:refund-reversed:2000000123", GrantKey.ForAppleRefundReversal("2000000123").Value);
        Assert.Equal("stripe:invoice:in_123", GrantKey.ForStripeInvoice("in_123").ToString());
    }

    [Fact]
    public void Factories_SameProviderObject_SameKey()
    {
        foreach (var factory in Factories)
        {
            Assert.Equal(factory("obj_1"), factory("obj_1"));
            Assert.NotEqual(factory("obj_1"), factory("obj_2"));
        }
    }

    [Fact]
    public void Factories_SameIdDifferentKinds_AllDistinct()
    {
        var keys = Factories.Select(f => f("1234")).ToList();

        Assert.Equal(Factories.Length, keys.Distinct().Count());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("cs 123")]
    [InlineData(" cs_123")]
    [InlineData("cs_123\n")]
    [InlineData("cs\u0000123")]
    public void Factories_MissingOrMalformedId_Throw(string id)
    {
        foreach (var factory in Factories)
        {
            var ex = Assert.Throws<InvalidDomainValueException>(() => factory(id));
            Assert.Equal("grant_key.provider_id", ex.Code);
        }
    }

    [Fact]
    public void Factories_NullId_Throws()
    {
        Assert.Throws<InvalidDomainValueException>(() => GrantKey.ForStripeInvoice(null!));
    }

    [Fact]
    public void Factories_IdTooLongForKey_Throw()
    {
        // "stripe:invoice:" is 15 characters.
        var fits = new string('x', GrantKey.MaxLength - "stripe:invoice:".Length);
        Assert.Equal(GrantKey.MaxLength, GrantKey.ForStripeInvoice(fits).Value.Length);

        var ex = Assert.Throws<InvalidDomainValueException>(() => GrantKey.ForStripeInvoice(fits + "x"));
        Assert.Equal("grant_key.too_long", ex.Code);
    }

    [Fact]
    public void Parse_EveryFactoryOutput_RoundTrips()
    {
        foreach (var factory in Factories)
        {
            var key = factory("obj_9");
            Assert.Equal(key, GrantKey.Parse(key.Value));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("stripe")]
    [InlineData("stripe:invoice")]
    [InlineData("::")]
    [InlineData("stripe::in_1")]
    [InlineData("stripe:invoice:")]
    [InlineData(":invoice:in_1")]
    [InlineData("stripe:invoice:in 1")]
    [InlineData("stripe:invoice:in_1\n")]
    public void Parse_Malformed_Throws(string value)
    {
        var ex = Assert.Throws<InvalidDomainValueException>(() => GrantKey.Parse(value));
        Assert.Equal("grant_key.invalid", ex.Code);
    }

    [Fact]
    public void Parse_TooLong_Throws()
    {
        Assert.Throws<InvalidDomainValueException>(() => GrantKey.Parse("stripe:invoice:" + new string('x', GrantKey.MaxLength)));
    }

    [Fact]
    public void Parse_ProviderIdContainingColon_Accepted()
    {
        Assert.Equal("apple:transaction:a:b", GrantKey.Parse("apple:transaction:a:b").Value);
        Assert.Equal("apple:transaction:a:b", GrantKey.ForAppleTransaction("a:b").Value);
    }
}
