using System.Collections.Concurrent;
using Billing.Application.Abstractions.ApiKeys;
using Billing.Domain.ApiKeys;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Billing.Infrastructure.ApiKeys;

/// <summary>
/// Collects each key's latest use in memory and writes them in one statement per flush (KEYS_LAST_USED_FLUSH_SECONDS,
/// default 10), and once more at shutdown. A busy key costs one row update per flush, not one per request.
/// </summary>
internal sealed class ApiKeyUsageTracker(NpgsqlDataSource dataSource, TimeSpan flushInterval, ILogger<ApiKeyUsageTracker> logger)
    : BackgroundService, IApiKeyUsageTracker
{
    private const string Sql = """
        UPDATE api_keys k SET last_used_at = v.at
        FROM unnest($1::text[], $2::timestamptz[]) AS v(id, at)
        WHERE k.id = v.id AND (k.last_used_at IS NULL OR k.last_used_at < v.at)
        """;

    private ConcurrentDictionary<string, DateTimeOffset> _pending = new(StringComparer.Ordinal);

    public void MarkUsed(ApiKeyId keyId, DateTimeOffset at) =>
        _pending.AddOrUpdate(keyId.Value, at, (_, existing) => at > existing ? at : existing);

    /// <summary>Writes what has been collected; returns the number of keys written.</summary>
    public async Task<int> FlushAsync(CancellationToken cancellationToken)
    {
        var batch = Interlocked.Exchange(ref _pending, new ConcurrentDictionary<string, DateTimeOffset>(StringComparer.Ordinal));
        if (batch.IsEmpty)
        {
            return 0;
        }

        var ids = batch.Keys.ToArray();
        var times = ids.Select(id => batch[id].UtcDateTime).ToArray();
        await using var command = dataSource.CreateCommand(Sql);
        command.Parameters.Add(new NpgsqlParameter { Value = ids });
        command.Parameters.Add(new NpgsqlParameter { Value = times });
        await command.ExecuteNonQueryAsync(cancellationToken);
        return ids.Length;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(flushInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushQuietlyAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushQuietlyAsync(cancellationToken);
    }

    private async Task FlushQuietlyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await FlushAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            // last_used_at is informational; losing one flush is better than failing requests.
            logger.LogWarning("Could not write key last-used times ({ExceptionType})", ex.GetType().Name);
        }
    }
}
