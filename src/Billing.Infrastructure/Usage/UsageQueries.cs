using Billing.Application.Abstractions.Usage;
using Npgsql;

namespace Billing.Infrastructure.Usage;

/// <summary>
/// Aggregates in PostgreSQL: the range prunes partitions, and (owner_user_id, started_at) INCLUDE (...) makes it an
/// index-only scan of the owner's rows in range.
/// </summary>
public sealed class UsageQueries(NpgsqlDataSource dataSource) : IUsageQueries
{
    private const string Sql = """
        SELECT date_trunc($4, started_at, 'UTC') AS bucket,
               key_id,
               count(*),
               count(*) FILTER (WHERE NOT rate_limited AND http_status < 400),
               count(*) FILTER (WHERE NOT rate_limited AND http_status >= 400),
               count(*) FILTER (WHERE rate_limited),
               coalesce(sum(credits), 0)
        FROM usage_events
        WHERE owner_user_id = $1 AND started_at >= $2 AND started_at < $3
        """;

    public async Task<IReadOnlyList<UsageBucket>> GetBucketsAsync(
        string ownerUserId,
        string? keyId,
        DateTimeOffset from,
        DateTimeOffset to,
        UsageGranularity granularity,
        CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(Sql + (keyId is null ? "" : " AND key_id = $5") + " GROUP BY 1, 2 ORDER BY 1, 2");
        command.Parameters.AddWithValue(ownerUserId);
        command.Parameters.AddWithValue(from.UtcDateTime);
        command.Parameters.AddWithValue(to.UtcDateTime);
        command.Parameters.AddWithValue(granularity == UsageGranularity.Hour ? "hour" : "day");
        if (keyId is not null)
        {
            command.Parameters.AddWithValue(keyId);
        }

        var buckets = new List<UsageBucket>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            buckets.Add(new UsageBucket(
                new DateTimeOffset(reader.GetDateTime(0), TimeSpan.Zero),
                reader.GetString(1),
                reader.GetInt64(2),
                reader.GetInt64(3),
                reader.GetInt64(4),
                reader.GetInt64(5),
                reader.GetInt64(6)));
        }

        return buckets;
    }
}
