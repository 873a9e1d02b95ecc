using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Billing.Infrastructure.Usage;

/// <summary>Runs <see cref="UsagePartitionMaintenance"/> at start and then daily (every instance may; the SQL is serialised and idempotent).</summary>
internal sealed class UsageMaintenanceService(
    UsagePartitionMaintenance maintenance,
    UsageOptions options,
    TimeProvider time,
    ILogger<UsageMaintenanceService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var next = options.MaintenanceInterval;
            try
            {
                var (created, dropped) = await maintenance.RunAsync(time.GetUtcNow(), stoppingToken);
                if (created.Count > 0 || dropped.Count > 0)
                {
                    logger.LogInformation(
                        "Usage partitions: created {Created}, dropped {Dropped} (retention {RetentionDays} days)",
                        string.Join(", ", created.Select(m => m.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture))),
                        string.Join(", ", dropped),
                        options.RetentionDays);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning("Usage partition maintenance failed ({ExceptionType}: {Message}); trying again in a minute", ex.GetType().Name, ex.Message);
                next = TimeSpan.FromMinutes(1);
            }

            await Task.Delay(next, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}
