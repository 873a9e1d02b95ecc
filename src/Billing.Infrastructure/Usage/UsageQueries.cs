using Billing.Application.Abstractions.Usage;
using Npgsql;

namespace Billing.Infrastructure.Usage;

/// <summary>
/// Reads the hourly counters (usage_hourly, kept exact by <see cref="UsageWriter"/>): the range prunes partitions and
/// is a range scan of the primary key (owner_user_id, hour, key_id); day buckets sum 24 hours.
/// </summary>
public sealed class UsageQueries(NpgsqlDataSource dataSource) : IUsageQueries
{
    private const string Sql = """
        SELECT date_trunc($4, hour, 'UTC') AS bucket,
               key_id,
               sum(requests)::bigint,
               sum(succeeded)::bigint,
               sum(failed)::bigint,
               sum(rate_limited)::bigint,
               sum(credits)::bigint
        FROM usage_hourly
        WHERE owner_user_id = $1 AND hour >= $2 AND hour < $3
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
