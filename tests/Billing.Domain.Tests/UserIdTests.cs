using Billing.Domain.Common;

namespace Billing.Domain.Tests;

public class UserIdTests
{
    [Fact]
    public void From_PaddedValue_Trimmed()
    {
        var id = UserId.From("  abc-123 \t");

        Assert.Equal("abc-123", id.Value);
        Assert.Equal("abc-123", id.ToString());
        Assert.Equal(UserId.From("abc-123"), id);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\t\r\n")]
    public void From_MissingOrWhitespace_Throws(string? value)
    {
        var ex = Assert.Throws<InvalidDomainValueException>(() => UserId.From(value));
        Assert.Equal("user_id.missing", ex.Code);
    }

    [Fact]
    public void From_MaxLength_Accepted()
    {
        Assert.Equal(UserId.MaxLength, UserId.From(new string('a', UserId.MaxLength)).Value.Length);
    }

    [Fact]
    public void From_TooLong_Throws()
    {
        var ex = Assert.Throws<InvalidDomainValueException>(() => UserId.From(new string('a', UserId.MaxLength + 1)));
        Assert.Equal("user_id.too_long", ex.Code);
    }

    [Theory]
    [InlineData("abc\u0000def")]
    [InlineData("abc\ndef")]
    [InlineData("abc\tdef")]
    [InlineData("abc\u007fdef")]
    public void From_ControlCharacterInside_Throws(string value)
    {
        var ex = Assert.Throws<InvalidDomainValueException>(() => UserId.From(value));
        Assert.Equal("user_id.invalid", ex.Code);
    }
}
