using System.Collections.Concurrent;
using Billing.Application.Abstractions.ApiKeys;
using Billing.Domain.Catalog;
using Billing.Domain.Common;
using Npgsql;

namespace Billing.Infrastructure.ApiKeys;

/// <summary>
/// The owner's tier from their subscriptions across Stripe and Apple (docs/decisions/0017: active, past_due, or canceled
/// until the paid period ends), cached per instance. A subscription change notifies every instance, which drops the entry
/// at once; the TTL (4 s) keeps the 5 s promise even while notifications are down.
/// </summary>
internal sealed class SubscriptionTierLookup(NpgsqlDataSource dataSource, TimeProvider clock, ApiKeyCacheOptions options) : IDeveloperTierLookup
{
    private const string Sql = """
        SELECT tier FROM subscriptions
        WHERE user_id = $1
          AND (status IN ('active', 'past_due')
               OR (status = 'canceled' AND (current_period_end IS NULL OR current_period_end > now())))
        """;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _epoch;

    public async ValueTask<DeveloperTier> GetTierAsync(UserId owner, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (_entries.TryGetValue(owner.Value, out var cached) && cached.FreshUntil > now)
        {
            return cached.Tier;
        }

        var epoch = Interlocked.Read(ref _epoch);
        var best = DeveloperTier.Free;
        await using (var command = dataSource.CreateCommand(Sql))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = owner.Value });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                if (Enum.TryParse<TierName>(reader.GetString(0), ignoreCase: true, out var tier) && DeveloperTiers.Of(tier) > best)
                {
                    best = DeveloperTiers.Of(tier);
                }
            }
        }

        if (_entries.Count >= options.MaxEntries)
        {
            _entries.Clear();
        }

        if (Interlocked.Read(ref _epoch) == epoch)
        {
            _entries[owner.Value] = new Entry(best, now + options.TierTtl);
        }

        return best;
    }

    public void Invalidate(string userId)
    {
        Interlocked.Increment(ref _epoch);
        _entries.TryRemove(userId, out _);
    }

    public void Clear()
    {
        Interlocked.Increment(ref _epoch);
        _entries.Clear();
    }

    private sealed record Entry(DeveloperTier Tier, DateTimeOffset FreshUntil);
}
