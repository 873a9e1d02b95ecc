using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Billing.Infrastructure.Background;

/// <summary>
/// Holds one connection that LISTENs for new inbox events and new grants, so the workers start within milliseconds of a
/// commit instead of on the next poll. If the connection drops it wakes everyone (something may have been missed) and reconnects.
/// </summary>
internal sealed class DatabaseNotificationListener(NpgsqlDataSource dataSource, DatabaseWakeups wakeups, ILogger<DatabaseNotificationListener> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) => wakeups.Route(e.Channel);
                await using (var listen = new NpgsqlCommand($"LISTEN {DatabaseWakeups.InboxChannel}; LISTEN {DatabaseWakeups.GrantsChannel};", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                wakeups.WakeAll();
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning("Notification connection lost ({ExceptionType}); polling until it is back", ex.GetType().Name);
                wakeups.WakeAll();
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }
}
