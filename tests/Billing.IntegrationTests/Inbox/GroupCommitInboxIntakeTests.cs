using Billing.Application.Abstractions.Inbox;
using Billing.Infrastructure.Inbox;
using Billing.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Billing.IntegrationTests.Inbox;

/// <summary>
/// Group commit at intake on real PostgreSQL: concurrent events share commits, each caller is answered only for a row that
/// is stored, a repeat (in the batch or in the table) is a duplicate, and a batch that fails stores none of its rows.
/// </summary>
public sealed class GroupCommitInboxIntakeTests(BillingDatabase database) : IClassFixture<BillingDatabase>
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_burst_is_stored_once_per_event_in_far_fewer_transactions_than_events()
    {
        var prefix = Prefix();
        await using var intake = Intake();

        // 200 distinct events and 100 repeats of the first 50, all at once.
        var calls = Enumerable.Range(0, 200).Select(i => Row(prefix, i))
            .Concat(Enumerable.Range(0, 50).SelectMany(i => new[] { Row(prefix, i), Row(prefix, i) }))
            .Select(row => (row.EventId, Task: intake.StoreAsync(row, CancellationToken.None)))
            .ToList();
        await Task.WhenAll(calls.Select(c => c.Task));

        var byEvent = calls.GroupBy(c => c.EventId).ToList();
        Assert.Equal(200, byEvent.Count);
        Assert.All(byEvent, g => Assert.Equal(1, g.Count(c => c.Task.Result == InboxIntakeOutcome.Stored)));
        Assert.Equal(100, calls.Count(c => c.Task.Result == InboxIntakeOutcome.Duplicate));
        Assert.Equal(200, await database.ScalarAsync($"SELECT count(*) FROM inbox_events WHERE event_id LIKE '{prefix}%'"));

        // Rows written by one transaction share its xmin: the burst took a handful of commits, not 200.
        var transactions = await database.ScalarAsync($"SELECT count(DISTINCT xmin::text) FROM inbox_events WHERE event_id LIKE '{prefix}%'");
        Assert.InRange(transactions, 1, 40);
    }

    [Fact]
    public async Task A_stored_event_is_a_duplicate_later_and_a_failed_one_is_reset_for_processing()
    {
        var prefix = Prefix();
        await using var intake = Intake();
        Assert.Equal(InboxIntakeOutcome.Stored, await intake.StoreAsync(Row(prefix, 1), CancellationToken.None));
        Assert.Equal(InboxIntakeOutcome.Duplicate, await intake.StoreAsync(Row(prefix, 1), CancellationToken.None));

        await database.ScalarAsync($"WITH u AS (UPDATE inbox_events SET status = 'failed', attempts = 12 WHERE event_id = '{prefix}1' RETURNING 1) SELECT count(*) FROM u");
        Assert.Equal(InboxIntakeOutcome.ResetFromFailed, await intake.StoreAsync(Row(prefix, 1), CancellationToken.None));
        Assert.Equal(0, await database.ScalarAsync($"SELECT attempts FROM inbox_events WHERE event_id = '{prefix}1' AND status = 'received'"));
        Assert.Equal(InboxIntakeOutcome.Duplicate, await intake.StoreAsync(Row(prefix, 1), CancellationToken.None));
    }

    [Fact]
    public async Task Every_caller_answered_has_its_row_and_every_caller_refused_has_none()
    {
        var prefix = Prefix();
        await using var intake = Intake();

        // The first event breaks the column's limit (event_type is varchar(100)): its whole batch fails, the others
        // (300 events need at least two batches of 256) are stored.
        var calls = Enumerable.Range(0, 300)
            .Select(i => Row(prefix, i, eventType: i == 0 ? new string('x', 101) : "invoice.paid"))
            .Select(row => (row.EventId, Task: intake.StoreAsync(row, CancellationToken.None)))
            .ToList();
        try
        {
            await Task.WhenAll(calls.Select(c => c.Task));
        }
        catch (PostgresException)
        {
            // Expected for the batches holding a bad row.
        }

        var stored = await StoredAsync(prefix);
        Assert.Contains(calls, c => c.Task.IsFaulted);
        Assert.Contains(calls, c => c.Task.IsCompletedSuccessfully);
        Assert.All(calls, c => Assert.Equal(c.Task.IsCompletedSuccessfully, stored.Contains(c.EventId)));
        Assert.DoesNotContain(calls, c => c.Task.IsCompletedSuccessfully && c.Task.Result != InboxIntakeOutcome.Stored);
    }

    [Fact]
    public async Task Stopping_writes_and_answers_everything_already_queued()
    {
        var prefix = Prefix();
        var intake = Intake();
        var calls = Enumerable.Range(0, 100).Select(i => intake.StoreAsync(Row(prefix, i), CancellationToken.None)).ToList();

        await intake.DisposeAsync();

        Assert.All(calls, c => Assert.Equal(InboxIntakeOutcome.Stored, c.Result));
        Assert.Equal(100, await database.ScalarAsync($"SELECT count(*) FROM inbox_events WHERE event_id LIKE '{prefix}%'"));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => intake.StoreAsync(Row(prefix, 1000), CancellationToken.None));
    }

    private GroupCommitInboxIntake Intake() => new(database.DataSource, NullLogger<GroupCommitInboxIntake>.Instance);

    private static string Prefix() => "evt_gc_" + Guid.NewGuid().ToString("N")[..8] + "_";

    private static InboxIntakeRow Row(string prefix, int i, string eventType = "invoice.paid") =>
        new("stripe", prefix + i, eventType, "{\"id\":\"" + prefix + i + "\"}", Now.AddSeconds(-1), Now, null);

    private async Task<HashSet<string>> StoredAsync(string prefix)
    {
        await using var command = database.DataSource.CreateCommand($"SELECT event_id FROM inbox_events WHERE event_id LIKE '{prefix}%'");
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }
}
