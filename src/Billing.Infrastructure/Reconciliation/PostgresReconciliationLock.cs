using Billing.Application.Abstractions.Reconciliation;
using Npgsql;

namespace Billing.Infrastructure.Reconciliation;

/// <summary>
/// A session-level advisory lock on its own connection, held for the whole run (minutes, across many short statements
/// and provider calls), so it cannot live in a transaction. Two-key form: (namespace, source).
/// </summary>
internal sealed class PostgresReconciliationLock(NpgsqlDataSource dataSource) : IReconciliationLock
{
    /// <summary>The first key of every reconciliation lock ("rc" + "ln"): no other advisory lock of the service uses it.</summary>
    private const int Namespace = 0x72636c6e;

    public async Task<IAsyncDisposable?> TryAcquireAsync(string source, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock($1, $2)", connection);
            command.Parameters.AddWithValue(Namespace);
            command.Parameters.AddWithValue(SourceKey(source));
            if (await command.ExecuteScalarAsync(cancellationToken) is true)
            {
                return new Held(connection, SourceKey(source));
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        await connection.DisposeAsync();
        return null;
    }

    private static int SourceKey(string source) => source switch
    {
        "stripe" => 1,
        "apple" => 2,
        "flash" => 3,
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, "Unknown reconciliation source."),
    };

    private sealed class Held(NpgsqlConnection connection, int key) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock($1, $2)", connection);
                command.Parameters.AddWithValue(Namespace);
                command.Parameters.AddWithValue(key);
                await command.ExecuteScalarAsync(CancellationToken.None);
            }
            finally
            {
                // Closing the session releases the lock in any case (the pool resets the connection).
                await connection.DisposeAsync();
            }
        }
    }
}
