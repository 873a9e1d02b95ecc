using Billing.Application.Abstractions.Persistence;
using Billing.Application.Abstractions.Stripe;
using Billing.Domain.Catalog;
using Microsoft.EntityFrameworkCore;

namespace Billing.Application.Stripe;

/// <summary>
/// A Stripe price our own Checkout created (<c>price_data</c>: a new price per session) and the catalog product it was created
/// for, recorded when the session is opened. Such a price never changes product, so an invoice billed at it pays that tier.
/// </summary>
public sealed class StripePrice
{
    private StripePrice()
    {
    }

    public string PriceId { get; private set; } = "";

    public string ProductId { get; private set; } = "";

    public DateTimeOffset RecordedAt { get; private set; }

    public static StripePrice Record(string priceId, Product product, DateTimeOffset now) =>
        new() { PriceId = priceId, ProductId = product.Id, RecordedAt = now };
}

/// <summary>
/// <c>STRIPE_PRICE_MAP</c>: prices made outside our Checkout (dashboard prices the billing portal switches to), as
/// <c>price_id=catalog_product_id</c> pairs separated by commas. Every product must be a subscription tier of the catalog.
/// </summary>
public sealed record StripePriceMap(IReadOnlyDictionary<string, string> ProductByPrice)
{
    public const string Variable = "STRIPE_PRICE_MAP";

    public static StripePriceMap Empty { get; } = new(new Dictionary<string, string>(StringComparer.Ordinal));

    /// <exception cref="InvalidOperationException">A malformed pair or a product that is not a tier, naming the variable.</exception>
    public static StripePriceMap Parse(string? value)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = pair.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0 || !ProductCatalog.TryFind(parts[1], out var product) || product is not SubscriptionTier)
            {
                throw new InvalidOperationException($"{Variable} must be price_id=subscription_product_id pairs separated by commas; '{pair}' is not one.");
            }

            if (!map.TryAdd(parts[0], parts[1]))
            {
                throw new InvalidOperationException($"{Variable} names price '{parts[0]}' twice.");
            }
        }

        return new StripePriceMap(map);
    }
}

/// <summary>
/// Which tier an invoice line paid for (docs/decisions/0013), from the paid object only: the configured map, else a price our
/// Checkout created, else a <c>product_id</c> in the price's own metadata. Never the subscription's current tier or metadata.
/// </summary>
internal sealed class StripeTierResolver(IBillingDbContext db, StripePriceMap map, TimeProvider clock)
{
    /// <summary>Remembers the prices a paid subscription checkout created for <paramref name="tier"/> (in the caller's unit of work).</summary>
    public async Task RecordCheckoutPricesAsync(IEnumerable<string> priceIds, SubscriptionTier tier, CancellationToken cancellationToken)
    {
        foreach (var priceId in priceIds.Distinct(StringComparer.Ordinal))
        {
            if (db.StripePrices.Local.All(p => p.PriceId != priceId)
                && !await db.StripePrices.AnyAsync(p => p.PriceId == priceId, cancellationToken))
            {
                db.StripePrices.Add(StripePrice.Record(priceId, tier, clock.GetUtcNow()));
            }
        }
    }

    public async Task<SubscriptionTier?> ResolveAsync(StripeInvoiceLine line, CancellationToken cancellationToken)
    {
        if (line.PriceId is not { } priceId)
        {
            return null;
        }

        var productId = map.ProductByPrice.GetValueOrDefault(priceId)
            ?? db.StripePrices.Local.FirstOrDefault(p => p.PriceId == priceId)?.ProductId
            ?? await db.StripePrices.AsNoTracking().Where(p => p.PriceId == priceId).Select(p => p.ProductId).FirstOrDefaultAsync(cancellationToken)
            ?? line.PriceMetadata.GetValueOrDefault(StripeMetadata.ProductId);
        return ProductCatalog.TryFind(productId, out var product) ? product as SubscriptionTier : null;
    }
}
