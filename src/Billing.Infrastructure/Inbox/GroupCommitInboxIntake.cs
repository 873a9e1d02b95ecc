using System.Threading.Channels;
using Billing.Application.Abstractions.Inbox;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Billing.Infrastructure.Inbox;

/// <summary>
/// Group commit for webhook intake (docs/decisions/0045): events that arrive together are written by one multi-row
/// <c>INSERT … ON CONFLICT</c> in one transaction, so a burst pays one commit (one WAL flush) instead of one per event.
/// Each caller is answered only after the commit that holds its row; a failed batch fails every caller in it (the
/// provider retries, nothing was stored). A lone event is written at once: nothing waits for a batch to fill.
/// </summary>
internal sealed partial class GroupCommitInboxIntake : IInboxIntake, IAsyncDisposable
{
    /// <summary>Most events per statement: bounds the statement's size and a failed batch's blast radius.</summary>
    public const int MaxBatch = 256;

    private const string Sql = """
        INSERT INTO inbox_events AS i (provider, event_id, event_type, payload, provider_created_at, received_at, status, attempts, next_attempt_at, trace_parent)
        SELECT u.provider, u.event_id, u.event_type, u.payload, u.provider_created_at, u.received_at, 'received', 0, u.received_at, u.trace_parent
        FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::varchar[])
            AS u(provider, event_id, event_type, payload, provider_created_at, received_at, trace_parent)
        ON CONFLICT (provider, event_id) DO UPDATE SET status = 'received', attempts = 0, next_attempt_at = EXCLUDED.received_at, retries_reset_at = EXCLUDED.received_at
            WHERE i.status = 'failed'
        RETURNING i.provider, i.event_id, (i.xmax = 0)
        """;

    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger<GroupCommitInboxIntake> _logger;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;

    public GroupCommitInboxIntake(NpgsqlDataSource dataSource, ILogger<GroupCommitInboxIntake> logger)
    {
        _dataSource = dataSource;
        _logger = logger;
        _writer = Task.Run(WriteLoopAsync);
    }

    public Task<InboxIntakeOutcome> StoreAsync(InboxIntakeRow row, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(row);
        var pending = new Pending(row);
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(GroupCommitInboxIntake), "The service is stopping: the event is not stored.");
        }

        // A caller that goes away still has its row written if it was queued: the provider's retry is then a duplicate.
        return pending.Result.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        // Everything queued before the stop is still written and answered.
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            try
            {
                await WriteAsync(batch).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                LogBatchFailed(_logger, batch.Count, exception.GetType().Name);
                foreach (var pending in batch)
                {
                    pending.Result.TrySetException(exception);
                }
            }

            batch.Clear();
        }
    }

    private async Task WriteAsync(List<Pending> batch)
    {
        // One row per (provider, event id): a statement cannot touch a row twice, and a repeat in the batch is a duplicate.
        var first = new Dictionary<(string, string), Pending>(batch.Count);
        var repeats = new List<Pending>();
        foreach (var pending in batch)
        {
            if (!first.TryAdd((pending.Row.Provider, pending.Row.EventId), pending))
            {
                repeats.Add(pending);
            }
        }

        var rows = first.Values.ToArray();
        await using var command = _dataSource.CreateCommand(Sql);
        command.Parameters.Add(Array(rows, r => r.Provider, NpgsqlDbType.Varchar));
        command.Parameters.Add(Array(rows, r => r.EventId, NpgsqlDbType.Varchar));
        command.Parameters.Add(Array(rows, r => r.EventType, NpgsqlDbType.Varchar));
        command.Parameters.Add(Array(rows, r => r.Payload, NpgsqlDbType.Text));
        command.Parameters.Add(Array<DateTime?>(rows, r => r.ProviderCreatedAt?.UtcDateTime, NpgsqlDbType.TimestampTz));
        command.Parameters.Add(Array<DateTime?>(rows, r => r.ReceivedAt.UtcDateTime, NpgsqlDbType.TimestampTz));
        command.Parameters.Add(Array(rows, r => r.TraceParent, NpgsqlDbType.Varchar));

        var written = new Dictionary<(string, string), bool>(rows.Length);
        await using (var reader = await command.ExecuteReaderAsync().ConfigureAwait(false))
        {
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                written[(reader.GetString(0), reader.GetString(1))] = reader.GetBoolean(2);
            }
        }

        // The statement ran in its own implicit transaction: once it returned, every row of it is committed.
        foreach (var pending in rows)
        {
            pending.Result.TrySetResult(written.TryGetValue((pending.Row.Provider, pending.Row.EventId), out var inserted)
                ? inserted ? InboxIntakeOutcome.Stored : InboxIntakeOutcome.ResetFromFailed
                : InboxIntakeOutcome.Duplicate);
        }

        foreach (var pending in repeats)
        {
            pending.Result.TrySetResult(InboxIntakeOutcome.Duplicate);
        }
    }

    private static NpgsqlParameter Array<T>(Pending[] rows, Func<InboxIntakeRow, T> value, NpgsqlDbType type)
    {
        var values = new T[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            values[i] = value(rows[i].Row);
        }

        return new NpgsqlParameter { Value = values, NpgsqlDbType = NpgsqlDbType.Array | type };
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Inbox write of {Count} events failed ({ExceptionType}); each is answered 5xx and stored nowhere, so the providers retry")]
    private static partial void LogBatchFailed(ILogger logger, int count, string exceptionType);

    private sealed class Pending(InboxIntakeRow row)
    {
        public InboxIntakeRow Row { get; } = row;

        public TaskCompletionSource<InboxIntakeOutcome> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
