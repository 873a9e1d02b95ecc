using System.Diagnostics.CodeAnalysis;
using Billing.Domain.Common;

namespace Billing.Domain.Catalog;

/// <summary>The product catalog from the billing memo: four credit packs and three monthly tiers, in USD.</summary>
public static class ProductCatalog
{
    public static readonly CreditPack Starter = new("com.timepoint.flash.credits.10", "Starter", Credits.Of(10), Money.Usd(299));
    public static readonly CreditPack Explorer = new("com.timepoint.flash.credits.50", "Explorer", Credits.Of(50), Money.Usd(999));
    public static readonly CreditPack Creator = new("com.timepoint.flash.credits.150", "Creator", Credits.Of(150), Money.Usd(2499));
    public static readonly CreditPack Studio = new("com.timepoint.flash.credits.500", "Studio", Credits.Of(500), Money.Usd(6999));

    public static readonly SubscriptionTier ExplorerMonthly = new("com.timepoint.flash.sub.explorer", "Explorer", TierName.Explorer, Credits.Of(100), Money.Usd(799));
    public static readonly SubscriptionTier CreatorMonthly = new("com.timepoint.flash.sub.creator", "Creator", TierName.Creator, Credits.Of(300), Money.Usd(1999));
    public static readonly SubscriptionTier StudioMonthly = new("com.timepoint.flash.sub.studio", "Studio", TierName.Studio, Credits.Of(1000), Money.Usd(4999));

    public static IReadOnlyList<CreditPack> Packs { get; } = [Starter, Explorer, Creator, Studio];

    public static IReadOnlyList<SubscriptionTier> Tiers { get; } = [ExplorerMonthly, CreatorMonthly, StudioMonthly];

    public static IReadOnlyList<Product> All { get; } = [.. Packs, .. Tiers];

    public static bool TryFind(string? productId, [NotNullWhen(true)] out Product? product)
    {
        product = All.FirstOrDefault(p => string.Equals(p.Id, productId, StringComparison.Ordinal));
        return product is not null;
    }

    public static Product Get(string productId) => TryFind(productId, out var product)
        ? product
        : throw new InvalidDomainValueException("product.unknown", $"Unknown product '{productId}'.");

    public static SubscriptionTier GetTier(TierName tier) => Tiers.Single(t => t.Tier == tier);
}
