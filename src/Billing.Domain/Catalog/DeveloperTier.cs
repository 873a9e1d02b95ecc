namespace Billing.Domain.Catalog;

/// <summary>
/// The tier the developer relay applies to a key's owner: the best active subscription (studio &gt; creator &gt; explorer),
/// else free. Ordered, so the best is the maximum.
/// </summary>
public enum DeveloperTier
{
    Free = 0,
    Explorer = 1,
    Creator = 2,
    Studio = 3,
}

/// <summary>The relay's limits for one tier: requests per minute (token bucket capacity) and concurrent streams.</summary>
public sealed record DeveloperLimits(int RequestsPerMinute, int ConcurrentStreams);

/// <summary>The default developer limits, next to the subscription tiers they belong to (configurable at start-up).</summary>
public static class DeveloperTiers
{
    public static IReadOnlyDictionary<DeveloperTier, DeveloperLimits> DefaultLimits { get; } = new Dictionary<DeveloperTier, DeveloperLimits>
    {
        [DeveloperTier.Free] = new(10, 1),
        [DeveloperTier.Explorer] = new(60, 2),
        [DeveloperTier.Creator] = new(300, 4),
        [DeveloperTier.Studio] = new(1000, 8),
    };

    public static DeveloperTier Of(TierName subscriptionTier) => subscriptionTier switch
    {
        TierName.Explorer => DeveloperTier.Explorer,
        TierName.Creator => DeveloperTier.Creator,
        TierName.Studio => DeveloperTier.Studio,
        _ => DeveloperTier.Free,
    };

    public static string ToWire(this DeveloperTier tier) => tier.ToString().ToLowerInvariant();
}
