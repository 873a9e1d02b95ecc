using System.Globalization;
using Billing.Application.Abstractions.ApiKeys;
using Billing.Application.Abstractions.RateLimiting;
using Billing.Domain.Catalog;
using Microsoft.Extensions.Configuration;

namespace Billing.Infrastructure.RateLimiting;

/// <summary>
/// The catalog's developer limits, with overrides from <c>RATE_LIMITS</c> (<c>tier:requests_per_minute/streams</c>, comma
/// separated, e.g. <c>free:20/1,studio:2000/16</c>). A malformed value fails start-up naming the variable.
/// </summary>
internal sealed class DeveloperLimitsCatalog : IDeveloperLimits
{
    public const string Key = "RATE_LIMITS";

    private readonly Dictionary<DeveloperTier, RateLimitPolicy> _policies;

    public DeveloperLimitsCatalog(IReadOnlyDictionary<DeveloperTier, DeveloperLimits> limits) =>
        _policies = limits.ToDictionary(p => p.Key, p => new RateLimitPolicy(p.Key.ToWire(), p.Value.RequestsPerMinute, p.Value.ConcurrentStreams));

    public RateLimitPolicy For(DeveloperTier tier) => _policies[tier];

    public static DeveloperLimitsCatalog FromConfiguration(IConfiguration configuration)
    {
        var limits = new Dictionary<DeveloperTier, DeveloperLimits>(DeveloperTiers.DefaultLimits);
        var text = configuration[Key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return new DeveloperLimitsCatalog(limits);
        }

        foreach (var entry in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = entry.Split(':', '/');
            if (parts.Length != 3
                || !Enum.TryParse<DeveloperTier>(parts[0], ignoreCase: true, out var tier)
                || !Enum.IsDefined(tier)
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var perMinute) || perMinute < 1
                || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var streams) || streams < 1)
            {
                throw new InvalidOperationException($"{Key} must look like 'free:10/1,explorer:60/2' (tier:requests_per_minute/concurrent_streams, both at least 1); '{entry}' is not.");
            }

            limits[tier] = new DeveloperLimits(perMinute, streams);
        }

        return new DeveloperLimitsCatalog(limits);
    }
}
