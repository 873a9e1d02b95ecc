using System.Diagnostics;
using Billing.Application.Abstractions.Telemetry;
using Billing.Application.Inbox;
using Billing.Application.Inbox.ProcessInboxEvent;
using Billing.Application.Inbox.RecordInboxFailure;
using Billing.Infrastructure.Background;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Billing.Infrastructure.Inbox;

/// <summary>
/// Processes stored provider events: wakes on NOTIFY (or polls), picks due rows, and sends each through the unit of work.
/// A failure is recorded in its own transaction and retried with backoff; several instances may run at once (row locks).
/// </summary>
internal sealed class InboxProcessorService(
    IServiceScopeFactory scopes,
    NpgsqlDataSource dataSource,
    DatabaseWakeups wakeups,
    InboxOptions options,
    InboxRetryPolicy retryPolicy,
    ILogger<InboxProcessorService> logger) : BackgroundService
{
    /// <summary>Resolved here so a bad INBOX_RETRY_DAYS fails the start, naming the variable, not the first failure.</summary>
    private readonly TimeSpan _paidMoneyRetryWindow = retryPolicy.PaidMoneyWindow;

    private readonly TimeSpan _pollInterval = options.PollInterval;
    private readonly int _concurrency = options.Concurrency;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        logger.LogInformation("Inbox processor started: paid-money events are retried for {RetryDays} days before they are parked", _paidMoneyRetryWindow.TotalDays);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var due = await DueEventIds(stoppingToken);
                if (due.Count == 0)
                {
                    await wakeups.Inbox.WaitAsync(_pollInterval, stoppingToken);
                    continue;
                }

                await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = _concurrency, CancellationToken = stoppingToken }, async (row, ct) => await ProcessOne(row.Id, ct, row.TraceParent));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning("Inbox poll failed ({ExceptionType}: {Message}); retrying", ex.GetType().Name, ex.Message);
                await Task.Delay(_pollInterval, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    internal async Task ProcessOne(long inboxEventId, CancellationToken cancellationToken, string? traceParent = null)
    {
        using var activity = BillingTelemetry.StartActivity("inbox.process", ActivityKind.Consumer, traceParent);
        activity?.SetTag("billing.inbox_event_id", inboxEventId);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var result = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new ProcessInboxEventCommand(inboxEventId), cancellationToken);
            activity?.SetTag("billing.outcome", result.ToString());
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new RecordInboxFailureCommand(inboxEventId, $"{ex.GetType().Name}: {ex.Message}"), cancellationToken);
            }
            catch (Exception recordEx) when (recordEx is not OperationCanceledException)
            {
                // The row stays 'received' and due, so it is retried on the next pass anyway.
                logger.LogError("Could not record the failure of inbox event {InboxEventId}: {ExceptionType}", inboxEventId, recordEx.GetType().Name);
            }
        }
    }

    private async Task<List<(long Id, string? TraceParent)>> DueEventIds(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT id, trace_parent FROM inbox_events WHERE status = 'received' AND next_attempt_at <= now() ORDER BY id LIMIT 200");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<(long, string?)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add((reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1)));
        }

        return rows;
    }
}
