using Billing.Application.Abstractions.Usage;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Billing.Infrastructure.Usage;

/// <summary>
/// Writes a batch of usage events in one statement (arrays unnested server-side), idempotent on (request_id, started_at):
/// a batch written twice, or an event recorded twice, leaves one row and is counted once in the hourly counters. A month
/// without a partition yet is created and the batch written again.
/// </summary>
public sealed class UsageWriter(NpgsqlDataSource dataSource, ILogger<UsageWriter> logger)
{
    // One statement, one transaction: the events that are new (ON CONFLICT DO NOTHING returns only those) are added to
    // their hourly counters, so the counters can never drift from the rows, however often a batch is written. The
    // counters are upserted in key order, so concurrent writers lock them in the same order (no deadlock).
    private const string InsertSql = """
        WITH inserted AS (
            INSERT INTO usage_events (request_id, started_at, key_id, owner_user_id, route, http_status, duration_ms, bytes_out, credits, rate_limited)
            SELECT * FROM unnest($1::varchar[], $2::timestamptz[], $3::varchar[], $4::varchar[], $5::varchar[], $6::smallint[], $7::integer[], $8::bigint[], $9::integer[], $10::boolean[])
            ON CONFLICT DO NOTHING
            RETURNING owner_user_id, key_id, started_at, http_status, rate_limited, credits
        ), counted AS (
            INSERT INTO usage_hourly AS h (owner_user_id, hour, key_id, requests, succeeded, failed, rate_limited, credits)
            SELECT owner_user_id, date_trunc('hour', started_at, 'UTC'), key_id,
                   count(*),
                   count(*) FILTER (WHERE NOT rate_limited AND http_status < 400),
                   count(*) FILTER (WHERE NOT rate_limited AND http_status >= 400),
                   count(*) FILTER (WHERE rate_limited),
                   sum(credits)
            FROM inserted
            GROUP BY 1, 2, 3
            ORDER BY 1, 2, 3
            ON CONFLICT (owner_user_id, hour, key_id) DO UPDATE SET
                requests = h.requests + excluded.requests,
                succeeded = h.succeeded + excluded.succeeded,
                failed = h.failed + excluded.failed,
                rate_limited = h.rate_limited + excluded.rate_limited,
                credits = h.credits + excluded.credits
            RETURNING 1
        )
        SELECT count(*) FROM inserted
        """;

    /// <summary>Writes the batch; returns how many rows were new.</summary>
    public async Task<int> WriteAsync(IReadOnlyList<UsageEvent> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return 0;
        }

        try
        {
            return await InsertAsync(batch, cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.CheckViolation && ex.Message.Contains("no partition", StringComparison.Ordinal))
        {
            // An event for a month not created yet (clock at a month's edge, a late replay): create it and write again.
            foreach (var month in batch.Select(e => new DateOnly(e.StartedAt.UtcDateTime.Year, e.StartedAt.UtcDateTime.Month, 1)).Distinct())
            {
                await EnsurePartitionAsync(dataSource, month, cancellationToken);
            }

            logger.LogInformation("Created missing usage partitions for a batch of {Count} events", batch.Count);
            return await InsertAsync(batch, cancellationToken);
        }
    }

    internal static async Task<bool> EnsurePartitionAsync(NpgsqlDataSource dataSource, DateOnly month, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT billing_usage_ensure_partition($1)");
        command.Parameters.Add(new NpgsqlParameter { Value = month, NpgsqlDbType = NpgsqlDbType.Date });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private async Task<int> InsertAsync(IReadOnlyList<UsageEvent> batch, CancellationToken cancellationToken)
    {
        var count = batch.Count;
        var requestIds = new string[count];
        var startedAt = new DateTime[count];
        var keyIds = new string[count];
        var owners = new string[count];
        var routes = new string[count];
        var statuses = new short[count];
        var durations = new int[count];
        var bytesOut = new long[count];
        var credits = new int[count];
        var rateLimited = new bool[count];
        for (var i = 0; i < count; i++)
        {
            var e = batch[i];
            requestIds[i] = e.RequestId;
            startedAt[i] = e.StartedAt.UtcDateTime;
            keyIds[i] = e.KeyId;
            owners[i] = e.OwnerUserId;
            routes[i] = e.Route;
            statuses[i] = (short)Math.Clamp(e.HttpStatus, 0, short.MaxValue);
            durations[i] = (int)Math.Clamp(Math.Round(e.Duration.TotalMilliseconds), 0, int.MaxValue);
            bytesOut[i] = Math.Max(0, e.BytesOut);
            credits[i] = e.Credits;
            rateLimited[i] = e.RateLimited;
        }

        await using var command = dataSource.CreateCommand(InsertSql);
        command.Parameters.Add(new NpgsqlParameter { Value = requestIds });
        command.Parameters.Add(new NpgsqlParameter { Value = startedAt, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = keyIds });
        command.Parameters.Add(new NpgsqlParameter { Value = owners });
        command.Parameters.Add(new NpgsqlParameter { Value = routes });
        command.Parameters.Add(new NpgsqlParameter { Value = statuses });
        command.Parameters.Add(new NpgsqlParameter { Value = durations });
        command.Parameters.Add(new NpgsqlParameter { Value = bytesOut });
        command.Parameters.Add(new NpgsqlParameter { Value = credits });
        command.Parameters.Add(new NpgsqlParameter { Value = rateLimited });
        return (int)(long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
