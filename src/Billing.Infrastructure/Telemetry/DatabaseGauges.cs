using System.Diagnostics.Metrics;
using Billing.Application.Abstractions.Telemetry;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Billing.Infrastructure.Telemetry;

/// <summary>
/// Gauges read from the database when metrics are collected (a scrape): inbox backlog and the age of its oldest due row,
/// grants by status. One small query per collection at most every <see cref="MaxSampleAge"/>; a failed query keeps the
/// last sample (and logs), it never fails the scrape.
/// </summary>
internal sealed partial class DatabaseGauges
{
    private static readonly TimeSpan MaxSampleAge = TimeSpan.FromSeconds(5);
    private static readonly string[] GrantStatuses = ["pending", "delivered", "in_doubt", "dead", "owed_debt"];

    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _clock;
    private readonly ILogger<DatabaseGauges> _logger;
    private readonly Lock _gate = new();
    private Sample _sample = new(0, 0, new Dictionary<string, long>(), DateTimeOffset.MinValue);

    public DatabaseGauges(BillingMetrics metrics, NpgsqlDataSource dataSource, TimeProvider clock, ILogger<DatabaseGauges> logger)
    {
        _dataSource = dataSource;
        _clock = clock;
        _logger = logger;
        metrics.Meter.CreateObservableGauge("billing.inbox.backlog", () => (long)Current().InboxBacklog, "{event}", "Stored provider events not yet processed (status received).");
        metrics.Meter.CreateObservableGauge("billing.inbox.oldest_age", () => Current().OldestInboxAgeSeconds, "s", "Age of the oldest unprocessed provider event.");
        metrics.Meter.CreateObservableGauge("billing.grants", ObserveGrants, "{grant}", "Credit grants by status.");
    }

    private IEnumerable<Measurement<long>> ObserveGrants()
    {
        var sample = Current();
        foreach (var status in GrantStatuses)
        {
            yield return new Measurement<long>(sample.GrantsByStatus.GetValueOrDefault(status), new KeyValuePair<string, object?>("status", status));
        }
    }

    private Sample Current()
    {
        lock (_gate)
        {
            if (_clock.GetUtcNow() - _sample.TakenAt < MaxSampleAge)
            {
                return _sample;
            }

            try
            {
                _sample = Read();
            }
            catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                LogSampleFailed(exception.GetType().Name);
            }

            return _sample;
        }
    }

    // Synchronous on purpose: the metrics collection callback is synchronous; the query is two index-backed aggregates.
    private Sample Read()
    {
        using var command = _dataSource.CreateCommand("""
            SELECT count(*), coalesce(extract(epoch FROM now() - min(received_at)), 0)::float8 FROM inbox_events WHERE status = 'received';
            SELECT status, count(*) FROM credit_grants GROUP BY status;
            """);
        command.CommandTimeout = 2;
        using var reader = command.ExecuteReader();
        reader.Read();
        var backlog = reader.GetInt64(0);
        var oldest = reader.GetDouble(1);
        reader.NextResult();
        var grants = new Dictionary<string, long>(StringComparer.Ordinal);
        while (reader.Read())
        {
            grants[reader.GetString(0)] = reader.GetInt64(1);
        }

        return new Sample(backlog, oldest, grants, _clock.GetUtcNow());
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database gauges not refreshed ({ExceptionType}); keeping the last sample")]
    private partial void LogSampleFailed(string exceptionType);

    private sealed record Sample(long InboxBacklog, double OldestInboxAgeSeconds, Dictionary<string, long> GrantsByStatus, DateTimeOffset TakenAt);
}
