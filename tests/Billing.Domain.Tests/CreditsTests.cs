using Billing.Domain.Common;

namespace Billing.Domain.Tests;

public class CreditsTests
{
    [Fact]
    public void Of_NonNegative_KeepsValue()
    {
        Assert.Equal(0, Credits.Of(0).Value);
        Assert.Equal(150, Credits.Of(150).Value);
        Assert.Equal(Credits.Zero, Credits.Of(0));
        Assert.Equal("150", Credits.Of(150).ToString());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void Of_Negative_Throws(int value)
    {
        var ex = Assert.Throws<InvalidDomainValueException>(() => Credits.Of(value));
        Assert.Equal("credits.negative", ex.Code);
    }

    [Fact]
    public void Add_TwoAmounts_Sums()
    {
        Assert.Equal(Credits.Of(350), Credits.Of(300) + Credits.Of(50));
    }

    [Fact]
    public void Add_Overflow_Throws()
    {
        Assert.Throws<OverflowException>(() => Credits.Of(int.MaxValue) + Credits.Of(1));
    }

    [Fact]
    public void Subtract_ResultNonNegative_Subtracts()
    {
        Assert.Equal(Credits.Of(7), Credits.Of(10) - Credits.Of(3));
        Assert.Equal(Credits.Zero, Credits.Of(10) - Credits.Of(10));
    }

    [Fact]
    public void Subtract_ResultNegative_Throws()
    {
        Assert.Throws<InvalidDomainValueException>(() => Credits.Of(3) - Credits.Of(10));
    }

    [Fact]
    public void Comparison_Operators_FollowValue()
    {
        var small = Credits.Of(10);
        var big = Credits.Of(500);

        Assert.True(small < big);
        Assert.True(big > small);
        Assert.True(small <= Credits.Of(10));
        Assert.True(big >= Credits.Of(500));
        Assert.False(big < small);
        Assert.True(small.CompareTo(big) < 0);
        Assert.Equal(0, big.CompareTo(Credits.Of(500)));
    }
}
