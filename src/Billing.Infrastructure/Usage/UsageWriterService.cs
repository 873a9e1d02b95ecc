using Billing.Application.Abstractions.Usage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Billing.Infrastructure.Usage;

/// <summary>
/// Drains the recorder's queue off the request path: a batch is written when it is full or when its first event has
/// waited <see cref="UsageOptions.FlushInterval"/>. A failed write is retried (the batch is kept). On graceful shutdown
/// (<see cref="StopAsync"/>, after the server has finished its requests) the queue is closed and drained completely
/// before the process exits; only the host's shutdown timeout cuts that short. A SIGKILL loses what is in memory: at
/// most the last flush interval's events (plus a backlog, if the database was down).
/// </summary>
public sealed class UsageWriterService(
    ChannelUsageRecorder recorder,
    UsageWriter writer,
    UsageOptions options,
    ILogger<UsageWriterService> logger)
    : IHostedService, IAsyncDisposable
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _abort = new();
    private Task? _loop;
    private long _written;
    private int _disposed;

    /// <summary>Rows inserted since start (duplicates not counted).</summary>
    public long Written => Interlocked.Read(ref _written);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(() => RunAsync(_abort.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        recorder.Complete();
        if (_loop is null)
        {
            return;
        }

        try
        {
            await _loop.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            await _abort.CancelAsync();
            logger.LogError("Shutdown timed out while usage events were still being written; the rest are lost");
        }
    }

    public async ValueTask DisposeAsync()
    {
        // The container may dispose it twice (as itself and as the hosted service it also is).
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _abort.CancelAsync();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _abort.Dispose();
    }

    private async Task RunAsync(CancellationToken abort)
    {
        var reader = recorder.Reader;
        var batch = new List<UsageEvent>(options.MaxBatch);
        try
        {
            while (await reader.WaitToReadAsync(abort))
            {
                var lingerUntil = DateTime.UtcNow + options.FlushInterval;
                while (batch.Count < options.MaxBatch)
                {
                    while (batch.Count < options.MaxBatch && reader.TryRead(out var usage))
                    {
                        batch.Add(usage);
                    }

                    var left = lingerUntil - DateTime.UtcNow;
                    if (batch.Count >= options.MaxBatch || left <= TimeSpan.Zero || !await MoreWithinAsync(reader, left, abort))
                    {
                        break;
                    }
                }

                await WriteWithRetryAsync(batch, abort);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            if (batch.Count > 0)
            {
                logger.LogError("{Count} usage events were not written before the writer was stopped", batch.Count);
            }
        }
    }

    /// <summary>True when another event arrived within the wait; false on timeout or when the queue is closed and empty.</summary>
    private static async Task<bool> MoreWithinAsync(System.Threading.Channels.ChannelReader<UsageEvent> reader, TimeSpan wait, CancellationToken abort)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(abort);
        timeout.CancelAfter(wait);
        try
        {
            return await reader.WaitToReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!abort.IsCancellationRequested)
        {
            return false;
        }
    }

    private async Task WriteWithRetryAsync(List<UsageEvent> batch, CancellationToken abort)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                Interlocked.Add(ref _written, await writer.WriteAsync(batch, abort));
                if (attempt > 1)
                {
                    logger.LogInformation("Usage events written after {Attempts} attempts", attempt);
                }

                return;
            }
            catch (PostgresException ex) when (IsPermanent(ex) && !abort.IsCancellationRequested)
            {
                // One bad event (a value the table refuses) must not hold the others back forever: write them one by one.
                await WriteOneByOneAsync(batch, abort);
                return;
            }
            catch (Exception ex) when (!abort.IsCancellationRequested)
            {
                if (attempt == 1)
                {
                    logger.LogWarning("Writing {Count} usage events failed ({ExceptionType}: {Message}); retrying, they stay queued", batch.Count, ex.GetType().Name, ex.Message);
                }

                await Task.Delay(delay, abort);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }
        }
    }

    private async Task WriteOneByOneAsync(List<UsageEvent> batch, CancellationToken abort)
    {
        foreach (var usage in batch)
        {
            try
            {
                Interlocked.Add(ref _written, await writer.WriteAsync([usage], abort));
            }
            catch (PostgresException ex) when (IsPermanent(ex))
            {
                logger.LogError("Usage event {RequestId} refused by the database ({SqlState}: {Message}); dropped", usage.RequestId, ex.SqlState, ex.MessageText);
            }
        }
    }

    /// <summary>Data and integrity errors (SQLSTATE classes 22 and 23) fail the same way every time; everything else may pass on retry.</summary>
    private static bool IsPermanent(PostgresException ex) => ex.SqlState.StartsWith("22", StringComparison.Ordinal) || ex.SqlState.StartsWith("23", StringComparison.Ordinal);
}
