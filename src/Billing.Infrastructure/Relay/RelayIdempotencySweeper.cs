using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Billing.Infrastructure.Relay;

/// <summary>Deletes idempotency records past their 24 h, a bounded batch every few minutes (claims already ignore them).</summary>
internal sealed class RelayIdempotencySweeper(NpgsqlDataSource dataSource, ILogger<RelayIdempotencySweeper> logger) : BackgroundService
{
    private const string Sql = """
        DELETE FROM relay_idempotency WHERE ctid IN (
            SELECT ctid FROM relay_idempotency WHERE expires_at < now() LIMIT 5000)
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(5));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await using var command = dataSource.CreateCommand(Sql);
                    await command.ExecuteNonQueryAsync(stoppingToken);
                }
                catch (NpgsqlException ex)
                {
                    logger.LogWarning("Could not sweep expired idempotency records ({ExceptionType})", ex.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
