using Billing.Domain.Common;

namespace Billing.Domain.Tests;

public class MoneyTests
{
    [Theory]
    [InlineData(0, "$0.00")]
    [InlineData(5, "$0.05")]
    [InlineData(99, "$0.99")]
    [InlineData(100, "$1.00")]
    [InlineData(299, "$2.99")]
    [InlineData(6999, "$69.99")]
    [InlineData(123456789, "$1234567.89")]
    public void Display_Usd_DollarSignAndTwoDecimals(long cents, string expected)
    {
        var money = Money.Usd(cents);

        Assert.Equal(expected, money.Display());
        Assert.Equal(expected, money.ToString());
    }

    [Fact]
    public void Display_OtherCurrency_AmountThenCode()
    {
        Assert.Equal("2.99 EUR", Money.Of(299, "EUR").Display());
    }

    [Fact]
    public void Of_LowercaseCurrency_NormalisedToUppercase()
    {
        var money = Money.Of(100, "eur");

        Assert.Equal("EUR", money.Currency);
        Assert.Equal(Money.Of(100, "EUR"), money);
    }

    [Fact]
    public void Of_ZeroAmount_Allowed()
    {
        Assert.Equal(0, Money.Usd(0).MinorUnits);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(long.MinValue)]
    public void Of_NegativeAmount_Throws(long minor)
    {
        var ex = Assert.Throws<InvalidDomainValueException>(() => Money.Usd(minor));
        Assert.Equal("money.negative", ex.Code);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("US")]
    [InlineData("USDD")]
    [InlineData("U5D")]
    [InlineData("US ")]
    [InlineData("ÜSD")]
    [InlineData("$$$")]
    public void Of_BadCurrency_Throws(string? currency)
    {
        var ex = Assert.Throws<InvalidDomainValueException>(() => Money.Of(100, currency!));
        Assert.Equal("money.currency", ex.Code);
    }

    [Fact]
    public void Equality_SameAmountDifferentCurrency_NotEqual()
    {
        Assert.NotEqual(Money.Of(100, "USD"), Money.Of(100, "EUR"));
        Assert.Equal(Money.Usd(100), Money.Of(100, "USD"));
    }
}
