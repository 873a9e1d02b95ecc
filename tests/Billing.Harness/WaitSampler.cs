using System.Globalization;
using Npgsql;

namespace Billing.Harness;

/// <summary>
/// Samples what the database's backends are doing (pg_stat_activity: active on CPU, or waiting on a lock, on WAL flush, or on
/// the client) every few milliseconds while a measurement runs, to say where the time went.
/// </summary>
public sealed class WaitSampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);
    private long _samples;

    private WaitSampler(string connectionString, string database, TimeSpan interval)
    {
        _loop = Task.Run(async () =>
        {
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                """
                SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU (active, not waiting)'), count(*)
                FROM pg_stat_activity
                WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'
                  AND NOT (state = 'idle' AND wait_event = 'ClientRead')
                GROUP BY 1
                """, connection);
            command.Parameters.Add(new NpgsqlParameter { Value = database });
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    await using var reader = await command.ExecuteReaderAsync(_stop.Token);
                    lock (_counts)
                    {
                        _samples++;
                    }

                    while (await reader.ReadAsync(_stop.Token))
                    {
                        lock (_counts)
                        {
                            _counts[reader.GetString(0)] = _counts.GetValueOrDefault(reader.GetString(0)) + reader.GetInt64(1);
                        }
                    }

                    await Task.Delay(interval, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (NpgsqlException)
                {
                    return;
                }
            }
        });
    }

    public static WaitSampler Start(string connectionString, string database, TimeSpan? interval = null) =>
        new(connectionString, database, interval ?? TimeSpan.FromMilliseconds(5));

    /// <summary>Average number of busy backends in each state, busiest first, e.g. "CPU 1.2, IO:WALSync 0.8, Client:ClientRead 3.1".</summary>
    public string Summary()
    {
        lock (_counts)
        {
            if (_samples == 0)
            {
                return "no samples";
            }

            return string.Join(", ", _counts.OrderByDescending(kv => kv.Value)
                .Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value / (double)_samples:0.00}")));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
