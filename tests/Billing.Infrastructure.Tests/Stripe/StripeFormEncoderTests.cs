using System.Globalization;
using Billing.Infrastructure.Stripe;

namespace Billing.Infrastructure.Tests.Stripe;

public sealed class StripeFormEncoderTests
{
    [Fact]
    public void Encode_FlatStringsNumbersAndBooleans_InvariantAndLowercase()
    {
        var body = StripeFormEncoder.Encode(
        [
            new("mode", "payment"),
            new("unit_amount", 999L),
            new("quantity", 3),
            new("allow_promotion_codes", true),
            new("livemode", false),
        ]);

        Assert.Equal("mode=payment&unit_amount=999&quantity=3&allow_promotion_codes=true&livemode=false", body);
    }

    [Fact]
    public void Encode_NestedMaps_UseBracketsLiterally()
    {
        var body = StripeFormEncoder.Encode(
        [
            new("metadata", new Dictionary<string, string> { ["user_id"] = "42", ["product_id"] = "com.timepoint.flash.credits.50" }),
            new("subscription_data", new Dictionary<string, object?>
            {
                ["metadata"] = new Dictionary<string, string> { ["tier"] = "pro" },
            }),
        ]);

        Assert.Equal(
            "metadata[user_id]=42&metadata[product_id]=com.timepoint.flash.credits.50&subscription_data[metadata][tier]=pro",
            body);
    }

    [Fact]
    public void Encode_ListOfMaps_IsIndexedAndDeeplyNested()
    {
        var items = new List<Dictionary<string, object?>>
        {
            new()
            {
                ["price_data"] = new Dictionary<string, object?>
                {
                    ["currency"] = "usd",
                    ["unit_amount"] = 999L,
                    ["product_data"] = new Dictionary<string, object?> { ["name"] = "500 credits" },
                },
                ["quantity"] = 1L,
            },
            new() { ["price"] = "price_123", ["quantity"] = 2L },
        };

        var flat = StripeFormEncoder.Flatten([new("line_items", items)]);

        Assert.Equal(
            [
                new("line_items[0][price_data][currency]", "usd"),
                new("line_items[0][price_data][unit_amount]", "999"),
                new("line_items[0][price_data][product_data][name]", "500 credits"),
                new("line_items[0][quantity]", "1"),
                new("line_items[1][price]", "price_123"),
                new("line_items[1][quantity]", "2"),
            ],
            flat);
        Assert.Equal(
            "line_items[0][price_data][currency]=usd&line_items[0][price_data][unit_amount]=999"
            + "&line_items[0][price_data][product_data][name]=500%20credits&line_items[0][quantity]=1"
            + "&line_items[1][price]=price_123&line_items[1][quantity]=2",
            StripeFormEncoder.EncodeFlattened(flat));
    }

    [Fact]
    public void Encode_IndexedArrayOfStrings()
    {
        var body = StripeFormEncoder.Encode([new("payment_method_types", new[] { "card", "link" })]);

        Assert.Equal("payment_method_types[0]=card&payment_method_types[1]=link", body);
    }

    [Fact]
    public void Encode_ExpandAsUnindexedList()
    {
        var body = StripeFormEncoder.Encode([new("expand", new StripeFormUnindexedList(["line_items", "subscription"]))]);

        Assert.Equal("expand[]=line_items&expand[]=subscription", body);
    }

    [Fact]
    public void Encode_EmptyListAndEmptyMap_SendKeyWithEmptyValue()
    {
        var body = StripeFormEncoder.Encode(
        [
            new("items", Array.Empty<string>()),
            new("metadata", new Dictionary<string, string>()),
        ]);

        Assert.Equal("items=&metadata=", body);
    }

    [Fact]
    public void Encode_NullsAreSkipped_EmptyStringsAreKept()
    {
        var body = StripeFormEncoder.Encode(
        [
            new("customer", null),
            new("metadata", new Dictionary<string, object?> { ["keep"] = "1", ["unset"] = string.Empty, ["skip"] = null }),
        ]);

        Assert.Equal("metadata[keep]=1&metadata[unset]=", body);
    }

    [Fact]
    public void Encode_ReservedCharactersAndUnicode_ArePercentEncoded()
    {
        var body = StripeFormEncoder.Encode(
        [
            new("success_url", "https://app.example.com/billing/success?session_id={CHECKOUT_SESSION_ID}&x=1"),
            new("metadata", new Dictionary<string, string> { ["note"] = "a+b=c & d/é 🎉", ["key with space"] = "v" }),
        ]);

        Assert.Equal(
            "success_url=https%3A%2F%2Fapp.example.com%2Fbilling%2Fsuccess%3Fsession_id%3D%7BCHECKOUT_SESSION_ID%7D%26x%3D1"
            + "&metadata[note]=a%2Bb%3Dc%20%26%20d%2F%C3%A9%20%F0%9F%8E%89&metadata[key%20with%20space]=v",
            body);
    }

    [Fact]
    public void Encode_DateTimeOffset_AsUnixSeconds()
    {
        var body = StripeFormEncoder.Encode([new("expires_at", new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)))]);

        Assert.Equal("expires_at=1767315845", body);
    }

    [Fact]
    public void Encode_RejectsBracketsInKeysAndAmbiguousTypes()
    {
        Assert.Throws<ArgumentException>(() => StripeFormEncoder.Encode(
            [new("metadata", new Dictionary<string, string> { ["bad[key]"] = "x" })]));
        Assert.Throws<ArgumentException>(() => StripeFormEncoder.Encode([new("", "x")]));
        Assert.Throws<ArgumentException>(() => StripeFormEncoder.Encode([new("at", DateTime.UtcNow)]));
        Assert.Throws<ArgumentException>(() => StripeFormEncoder.Encode([new("kind", DayOfWeek.Monday)]));
    }

    [Fact]
    public void Encode_UnderGermanCulture_StaysInvariant()
    {
        var original = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = GermanLikeCulture();
        try
        {
            Assert.Equal("9,99", 9.99m.ToString(CultureInfo.CurrentCulture)); // the culture really is active

            var body = StripeFormEncoder.Encode(
            [
                new("decimal", 9.99m),
                new("double", 1234.5),
                new("long", 1234567L),
                new("negative", -5),
                new("flag", true),
            ]);

            Assert.Equal("decimal=9.99&double=1234.5&long=1234567&negative=-5&flag=true", body);
        }
        finally
        {
            CultureInfo.CurrentCulture = original;
        }
    }

    /// <summary>
    /// de-DE; the build runs with InvariantGlobalization, where culture data is unavailable, so fall back to a clone
    /// with German separators to exercise the same code path.
    /// </summary>
    private static CultureInfo GermanLikeCulture()
    {
        try
        {
            var german = new CultureInfo("de-DE");
            if (german.NumberFormat.NumberDecimalSeparator == ",")
            {
                return german;
            }
        }
        catch (CultureNotFoundException)
        {
        }

        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        culture.NumberFormat.NumberDecimalSeparator = ",";
        culture.NumberFormat.NumberGroupSeparator = ".";
        culture.NumberFormat.NegativeSign = "\u2212";
        return culture;
    }
}
