using Billing.Application.Abstractions.Relay;
using Billing.Domain.ApiKeys;
using Npgsql;

namespace Billing.Infrastructure.Relay;

/// <summary>
/// Idempotency-Key records in PostgreSQL, so a retry is recognised on any instance and after a restart. Claiming is one
/// atomic insert; a record older than 24 h is taken over as new, and a "running" record whose request can no longer be
/// alive (older than the generation timeout plus a margin: its instance died) is taken over too (docs/decisions/0018).
/// </summary>
internal sealed class PostgresRelayIdempotencyStore(NpgsqlDataSource dataSource, TimeProvider clock, RelayIdempotencyOptions options) : IRelayIdempotencyStore
{
    private const string ClaimSql = """
        INSERT INTO relay_idempotency AS r (owner_id, mode, idempotency_key, request_hash, state, created_at, expires_at)
        VALUES ($1, $2, $3, $4, 'running', $5, $6)
        ON CONFLICT (owner_id, mode, idempotency_key) DO UPDATE
            SET request_hash = EXCLUDED.request_hash, state = 'running', response_status = NULL, response_type = NULL,
                response_body = NULL, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
            WHERE r.expires_at <= EXCLUDED.created_at OR (r.state = 'running' AND r.created_at <= $7)
        RETURNING true
        """;

    private const string ReadSql = """
        SELECT request_hash, state, response_status, response_type, response_body
        FROM relay_idempotency WHERE owner_id = $1 AND mode = $2 AND idempotency_key = $3
        """;

    public async Task<IdempotencyClaim> ClaimAsync(IdempotencyScope scope, byte[] requestHash, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var claim = new NpgsqlCommand(ClaimSql, connection))
        {
            AddScope(claim, scope);
            claim.Parameters.Add(new NpgsqlParameter { Value = requestHash });
            claim.Parameters.Add(new NpgsqlParameter { Value = now.UtcDateTime });
            claim.Parameters.Add(new NpgsqlParameter { Value = (now + options.Retention).UtcDateTime });
            claim.Parameters.Add(new NpgsqlParameter { Value = (now - options.AbandonedAfter).UtcDateTime });
            if (await claim.ExecuteScalarAsync(cancellationToken) is true)
            {
                return new IdempotencyClaim.Claimed();
            }
        }

        await using var read = new NpgsqlCommand(ReadSql, connection);
        AddScope(read, scope);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            // Released between our insert and this read: the caller may simply try again.
            return new IdempotencyClaim.StillRunning();
        }

        if (!System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(reader.GetFieldValue<byte[]>(0), requestHash))
        {
            return new IdempotencyClaim.DifferentRequest();
        }

        if (reader.GetString(1) != "completed")
        {
            return new IdempotencyClaim.StillRunning();
        }

        return new IdempotencyClaim.Replay(new StoredAnswer(reader.GetInt32(2), reader.GetString(3), reader.GetFieldValue<byte[]>(4)));
    }

    public async Task CompleteAsync(IdempotencyScope scope, StoredAnswer answer, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE relay_idempotency SET state = 'completed', response_status = $4, response_type = $5, response_body = $6
            WHERE owner_id = $1 AND mode = $2 AND idempotency_key = $3
            """);
        AddScope(command, scope);
        command.Parameters.Add(new NpgsqlParameter { Value = answer.Status });
        command.Parameters.Add(new NpgsqlParameter { Value = answer.ContentType });
        command.Parameters.Add(new NpgsqlParameter { Value = answer.Body });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task ReleaseAsync(IdempotencyScope scope, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM relay_idempotency WHERE owner_id = $1 AND mode = $2 AND idempotency_key = $3 AND state = 'running'");
        AddScope(command, scope);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void AddScope(NpgsqlCommand command, IdempotencyScope scope)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = scope.Owner.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = scope.Mode.ToWire() });
        command.Parameters.Add(new NpgsqlParameter { Value = scope.Key });
    }
}

/// <summary>Records live 24 h; a running record older than the generation timeout plus a minute belongs to a dead request.</summary>
internal sealed record RelayIdempotencyOptions(TimeSpan Retention, TimeSpan AbandonedAfter);
