using System.Collections.Concurrent;
using Billing.Application.Abstractions.ApiKeys;
using Billing.Domain.ApiKeys;
using Billing.Domain.Common;
using Npgsql;

namespace Billing.Infrastructure.ApiKeys;

/// <summary>
/// Per-instance cache of keys by hash in front of PostgreSQL. Entries are dropped by <see cref="Invalidate"/> (driven by
/// LISTEN/NOTIFY on revocation or a changed expiry, within milliseconds on every instance) and expire after a TTL as the
/// safety net should a notification be missed. Unknown hashes are cached briefly too, so a flood of made-up keys that pass
/// the checksum cannot turn into one query each. An epoch guards the race where a load reads a row just before it changes.
/// </summary>
internal sealed class ApiKeyDirectoryCache(NpgsqlDataSource dataSource, TimeProvider clock, ApiKeyCacheOptions options) : IApiKeyDirectory
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _epoch;

    public int Count => _entries.Count;

    public async ValueTask<StoredKey?> FindByHashAsync(byte[] keyHash, CancellationToken cancellationToken)
    {
        var cacheKey = Convert.ToBase64String(keyHash);
        var now = clock.GetUtcNow();
        if (_entries.TryGetValue(cacheKey, out var cached) && cached.FreshUntil > now)
        {
            return cached.Key;
        }

        var epoch = Interlocked.Read(ref _epoch);
        var key = await LoadAsync(keyHash, cancellationToken);
        if (_entries.Count >= options.MaxEntries)
        {
            _entries.Clear();
        }

        // Only keep what was read if nothing was invalidated meanwhile (else the read may predate the change).
        if (Interlocked.Read(ref _epoch) == epoch)
        {
            _entries[cacheKey] = new Entry(key, now + (key is null ? options.NegativeTtl : options.PositiveTtl));
        }

        return key;
    }

    public void Invalidate(string keyId)
    {
        Interlocked.Increment(ref _epoch);
        foreach (var (cacheKey, entry) in _entries)
        {
            if (entry.Key is { } key && key.Id.Value == keyId)
            {
                _entries.TryRemove(cacheKey, out _);
            }
        }
    }

    public void Clear()
    {
        Interlocked.Increment(ref _epoch);
        _entries.Clear();
    }

    private async Task<StoredKey?> LoadAsync(byte[] keyHash, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT id, owner_id, mode, expires_at, revoked_at FROM api_keys WHERE key_hash = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = keyHash });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new StoredKey(
            ApiKeyId.From(reader.GetString(0)),
            UserId.From(reader.GetString(1)),
            reader.GetString(2) == "live" ? ApiKeyMode.Live : ApiKeyMode.Test,
            reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3),
            reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4));
    }

    private sealed record Entry(StoredKey? Key, DateTimeOffset FreshUntil);
}

/// <summary>How long cached keys and tiers live without a notification (the fallback when LISTEN is down).</summary>
internal sealed record ApiKeyCacheOptions(TimeSpan PositiveTtl, TimeSpan NegativeTtl, TimeSpan TierTtl, int MaxEntries)
{
    public static ApiKeyCacheOptions Default { get; } = new(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(4), 100_000);
}
