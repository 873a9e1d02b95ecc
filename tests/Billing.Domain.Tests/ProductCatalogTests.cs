using Billing.Domain.Catalog;
using Billing.Domain.Common;

namespace Billing.Domain.Tests;

public class ProductCatalogTests
{
    public static TheoryData<string, string, int, long, string> PackRows => new()
    {
        { "com.timepoint.flash.credits.10", "Starter", 10, 299, "$2.99" },
        { "com.timepoint.flash.credits.50", "Explorer", 50, 999, "$9.99" },
        { "com.timepoint.flash.credits.150", "Creator", 150, 2499, "$24.99" },
        { "com.timepoint.flash.credits.500", "Studio", 500, 6999, "$69.99" },
    };

    public static TheoryData<string, string, TierName, int, long, string> TierRows => new()
    {
        { "com.timepoint.flash.sub.explorer", "Explorer", TierName.Explorer, 100, 799, "$7.99" },
        { "com.timepoint.flash.sub.creator", "Creator", TierName.Creator, 300, 1999, "$19.99" },
        { "com.timepoint.flash.sub.studio", "Studio", TierName.Studio, 1000, 4999, "$49.99" },
    };

    [Theory]
    [MemberData(nameof(PackRows))]
    public void Get_PackId_ReturnsPackFromMemo(string id, string name, int credits, long cents, string display)
    {
        var pack = Assert.IsType<CreditPack>(ProductCatalog.Get(id));

        Assert.Equal(id, pack.Id);
        Assert.Equal(name, pack.Name);
        Assert.Equal(Credits.Of(credits), pack.Credits);
        Assert.Equal(cents, pack.Price.MinorUnits);
        Assert.Equal("USD", pack.Price.Currency);
        Assert.Equal(display, pack.Price.Display());
        Assert.Equal(ProductKind.Pack, pack.Kind);
    }

    [Theory]
    [MemberData(nameof(TierRows))]
    public void Get_TierId_ReturnsMonthlyTierFromMemo(string id, string name, TierName tierName, int creditsPerPeriod, long cents, string display)
    {
        var tier = Assert.IsType<SubscriptionTier>(ProductCatalog.Get(id));

        Assert.Equal(id, tier.Id);
        Assert.Equal(name, tier.Name);
        Assert.Equal(tierName, tier.Tier);
        Assert.Equal(Credits.Of(creditsPerPeriod), tier.Credits);
        Assert.Equal(Credits.Of(creditsPerPeriod), tier.CreditsPerPeriod);
        Assert.Equal(cents, tier.Price.MinorUnits);
        Assert.Equal(display, tier.Price.Display());
        Assert.Equal(ProductKind.Subscription, tier.Kind);
        Assert.Same(tier, ProductCatalog.GetTier(tierName));
    }

    [Fact]
    public void Catalog_Always_HasFourPacksThreeTiersAndUniqueIds()
    {
        Assert.Equal(4, ProductCatalog.Packs.Count);
        Assert.Equal(3, ProductCatalog.Tiers.Count);
        Assert.Equal(7, ProductCatalog.All.Count);
        Assert.Equal(7, ProductCatalog.All.Select(p => p.Id).Distinct(StringComparer.Ordinal).Count());
        Assert.All(ProductCatalog.Packs, p => Assert.Equal(ProductKind.Pack, p.Kind));
        Assert.All(ProductCatalog.Tiers, t => Assert.Equal(ProductKind.Subscription, t.Kind));
    }

    [Fact]
    public void NamedFields_Always_MatchLookups()
    {
        Assert.Same(ProductCatalog.Starter, ProductCatalog.Get("com.timepoint.flash.credits.10"));
        Assert.Same(ProductCatalog.Explorer, ProductCatalog.Get("com.timepoint.flash.credits.50"));
        Assert.Same(ProductCatalog.Creator, ProductCatalog.Get("com.timepoint.flash.credits.150"));
        Assert.Same(ProductCatalog.Studio, ProductCatalog.Get("com.timepoint.flash.credits.500"));
        Assert.Same(ProductCatalog.ExplorerMonthly, ProductCatalog.GetTier(TierName.Explorer));
        Assert.Same(ProductCatalog.CreatorMonthly, ProductCatalog.GetTier(TierName.Creator));
        Assert.Same(ProductCatalog.StudioMonthly, ProductCatalog.GetTier(TierName.Studio));
    }

    [Theory]
    [InlineData("com.timepoint.flash.credits.10")]
    [InlineData("com.timepoint.flash.sub.studio")]
    public void TryFind_KnownId_ReturnsTrueAndProduct(string id)
    {
        Assert.True(ProductCatalog.TryFind(id, out var product));
        Assert.Equal(id, product.Id);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("com.timepoint.flash.credits.11")]
    [InlineData("COM.TIMEPOINT.FLASH.CREDITS.10")]
    [InlineData(" com.timepoint.flash.credits.10")]
    public void TryFind_UnknownId_ReturnsFalse(string? id)
    {
        Assert.False(ProductCatalog.TryFind(id, out var product));
        Assert.Null(product);
    }

    [Theory]
    [InlineData("")]
    [InlineData("com.timepoint.flash.credits.1000")]
    [InlineData("com.timepoint.flash.sub.Explorer")]
    public void Get_UnknownId_ThrowsDomainException(string id)
    {
        var ex = Assert.Throws<InvalidDomainValueException>(() => ProductCatalog.Get(id));
        Assert.Equal("product.unknown", ex.Code);
        Assert.IsAssignableFrom<DomainException>(ex);
    }
}
