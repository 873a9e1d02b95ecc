using Billing.Infrastructure.Background;
using Billing.Infrastructure.Flash;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Billing.Infrastructure.Grants;

/// <summary>
/// Runs the dispatcher: straight on while there is backlog, otherwise until a new grant commits (NOTIFY) or the poll interval.
/// On SIGTERM it stops claiming; the pass under way finishes its sends with their own timeout (the host waits for it: its
/// shutdown timeout is raised to cover a send, see <see cref="GrantDeliveryHostOptions"/>).
/// </summary>
internal sealed class GrantDispatcherService(
    IServiceProvider services,
    DatabaseWakeups wakeups,
    GrantDeliveryOptions options,
    FlashOptions flashOptions,
    IConfiguration configuration,
    ILogger<GrantDispatcherService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var (key, replacement) in GrantDeliveryOptions.ObsoleteKeys)
        {
            if (!string.IsNullOrEmpty(configuration[key]))
            {
                logger.LogWarning("{Variable} is no longer used and is ignored: {Replacement} (docs/decisions/0007)", key, replacement);
            }
        }

        if (flashOptions.BaseUrl is null || string.IsNullOrEmpty(flashOptions.AdminKey))
        {
            // Without Flash there is nowhere to deliver: grants stay pending (and visible in /status) rather than burning attempts.
            logger.LogWarning("MAIN_APP_INTERNAL_URL or FLASH_ADMIN_KEY is not set: credit grants are recorded but not delivered");
            return;
        }

        var dispatcher = services.GetRequiredService<GrantDispatcher>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    var started = await dispatcher.StartDueAsync(stoppingToken);
                    if (dispatcher.FreeSlots <= 0)
                    {
                        await dispatcher.WaitForFreeSlotAsync(options.PollInterval, stoppingToken);
                    }
                    else if (started == 0)
                    {
                        var wait = dispatcher.IsWaitingForFlash && GrantDispatcher.ProbeInterval < options.PollInterval ? GrantDispatcher.ProbeInterval : options.PollInterval;
                        await wakeups.Grants.WaitAsync(wait, stoppingToken);
                    }
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    logger.LogWarning("Grant dispatch pass failed ({ExceptionType}: {Message}); retrying", ex.GetType().Name, ex.Message);
                    await Task.Delay(options.PollInterval, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
            }
        }
        finally
        {
            // Stopping: nothing new is claimed; sends already under way finish with their own timeout and save their outcome.
            await dispatcher.WhenSendsFinishedAsync();
        }
    }
}

/// <summary>The host waits for a stopping dispatcher at most its shutdown timeout: at least one send's timeout plus room to save.</summary>
internal static class GrantDeliveryHostOptions
{
    public static readonly TimeSpan Room = TimeSpan.FromSeconds(5);

    public static void EnsureShutdownCoversASend(HostOptions host, FlashOptions flash)
    {
        var needed = flash.AttemptTimeout + Room;
        if (host.ShutdownTimeout < needed)
        {
            host.ShutdownTimeout = needed;
        }
    }
}
