using Billing.Domain.Common;

namespace Billing.Domain.Tests;

public class BillingPeriodTests
{
    [Fact]
    public void Of_EndAfterStart_NormalisedToUtc()
    {
        var start = new DateTimeOffset(2025, 3, 1, 2, 0, 0, TimeSpan.FromHours(2));
        var period = BillingPeriod.Of(start, start.AddMonths(1));

        Assert.Equal(TimeSpan.Zero, period.Start.Offset);
        Assert.Equal(TimeSpan.Zero, period.End.Offset);
        Assert.Equal(new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero), period.Start);
        Assert.Equal(BillingPeriod.Of(start.ToUniversalTime(), start.AddMonths(1).ToUniversalTime()), period);
    }

    [Fact]
    public void Of_EndEqualsStart_Throws()
    {
        var ex = Assert.Throws<InvalidDomainValueException>(() => BillingPeriod.Of(TestData.T0, TestData.T0));
        Assert.Equal("period.invalid", ex.Code);
    }

    [Fact]
    public void Of_EndBeforeStart_Throws()
    {
        Assert.Throws<InvalidDomainValueException>(() => BillingPeriod.Of(TestData.T0, TestData.T0.AddTicks(-1)));
    }

    [Fact]
    public void Of_SameInstantDifferentOffsets_Throws()
    {
        var start = new DateTimeOffset(2025, 3, 1, 2, 0, 0, TimeSpan.FromHours(2));
        var end = new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);

        Assert.Throws<InvalidDomainValueException>(() => BillingPeriod.Of(start, end));
    }
}
