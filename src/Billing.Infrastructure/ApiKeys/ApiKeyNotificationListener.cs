using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Billing.Infrastructure.ApiKeys;

/// <summary>
/// LISTENs for key changes (revocation, roll-over expiry) and subscription changes, and drops the affected entries from
/// this instance's caches. Runs on every instance, API-only ones included: the caches sit on the request path. When the
/// connection drops, both caches are cleared (a notification may have been missed) and it reconnects.
/// </summary>
internal sealed class ApiKeyNotificationListener(
    NpgsqlDataSource dataSource,
    ApiKeyDirectoryCache keys,
    SubscriptionTierLookup tiers,
    ILogger<ApiKeyNotificationListener> logger) : BackgroundService
{
    public const string KeysChannel = "billing_api_keys";
    public const string TiersChannel = "billing_tiers";

    /// <summary>Set once LISTEN is in place; tests wait on it before changing keys.</summary>
    public TaskCompletionSource Listening { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) =>
                {
                    if (e.Channel == KeysChannel)
                    {
                        keys.Invalidate(e.Payload);
                    }
                    else if (e.Channel == TiersChannel)
                    {
                        tiers.Invalidate(e.Payload);
                    }
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {KeysChannel}; LISTEN {TiersChannel};", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                // Whatever changed before LISTEN was in place is not in the caches either.
                keys.Clear();
                tiers.Clear();
                Listening.TrySetResult();
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
                logger.LogWarning("Key cache notification connection lost ({ExceptionType}); caches cleared, reconnecting", ex.GetType().Name);
                keys.Clear();
                tiers.Clear();
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }
}
