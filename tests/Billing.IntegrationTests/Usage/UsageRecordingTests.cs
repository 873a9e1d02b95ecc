using Billing.Application.Abstractions.Usage;
using Billing.Infrastructure.Usage;
using Billing.IntegrationTests.Infrastructure;
using static Billing.IntegrationTests.Usage.UsageTestKit;

namespace Billing.IntegrationTests.Usage;

/// <summary>The recorder, its batching writer and the partitioned table, against a real PostgreSQL.</summary>
public sealed class UsageRecordingTests(BillingDatabase database) : IClassFixture<BillingDatabase>
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    [Fact]
    public async Task The_migration_creates_this_month_and_the_next()
    {
        var now = DateTime.UtcNow;
        var next = now.AddMonths(1);
        Assert.Equal(1, await database.ScalarAsync($"SELECT count(*) FROM pg_class WHERE relname = 'usage_events_y{now:yyyy}m{now:MM}'"));
        Assert.Equal(1, await database.ScalarAsync($"SELECT count(*) FROM pg_class WHERE relname = 'usage_events_y{next:yyyy}m{next:MM}'"));
    }

    [Fact]
    public async Task Every_recorded_event_becomes_one_row_and_the_usage_sums_equal_the_events()
    {
        var owner = Owner();
        var (recorder, service) = Pipeline(database);
        await service.StartAsync(CancellationToken.None);
        await using var _ = service;

        // 2,500 events: more than two full batches, recorded from several threads.
        var events = Enumerable.Range(0, 2500)
            .Select(i => Event(owner, Now.AddSeconds(-i), keyId: i % 2 == 0 ? "key_a" : "key_b", status: i % 10 == 0 ? 502 : 200, credits: 2, rateLimited: i % 25 == 1))
            .ToList();
        Parallel.ForEach(events, recorder.Record);

        await EventuallyAsync(async () => await RowsAsync(database, owner) == events.Count, TimeSpan.FromSeconds(30), "all 2,500 rows written");
        var buckets = await new UsageQueries(database.DataSource).GetBucketsAsync(owner, null, Now.AddDays(-1), Now.AddDays(1), UsageGranularity.Day, CancellationToken.None);

        Assert.Equal(events.Count, buckets.Sum(b => b.Requests));
        Assert.Equal(events.Count(e => e.RateLimited), buckets.Sum(b => b.RateLimited));
        Assert.Equal(events.Count(e => !e.RateLimited && e.HttpStatus >= 400), buckets.Sum(b => b.Failed));
        Assert.Equal(events.Count(e => !e.RateLimited && e.HttpStatus < 400), buckets.Sum(b => b.Succeeded));
        Assert.Equal(events.Sum(e => e.Credits), buckets.Sum(b => b.Credits));
        Assert.Equal(events.Count(e => e.KeyId == "key_b"), buckets.Where(b => b.KeyId == "key_b").Sum(b => b.Requests));
        Assert.Equal(0, recorder.Dropped);
    }

    [Fact]
    public async Task Recording_the_same_event_again_changes_nothing()
    {
        var owner = Owner();
        var usage = Event(owner, Now);
        var writer = Writer(database);

        Assert.Equal(1, await writer.WriteAsync([usage], CancellationToken.None));
        Assert.Equal(0, await writer.WriteAsync([usage], CancellationToken.None));
        Assert.Equal(1, await writer.WriteAsync([usage, usage, Event(owner, Now)], CancellationToken.None)); // twice in one batch too

        var (recorder, service) = Pipeline(database);
        await service.StartAsync(CancellationToken.None);
        recorder.Record(usage);
        recorder.Record(usage);
        await service.StopAsync(CancellationToken.None);
        await service.DisposeAsync();

        Assert.Equal(2, await RowsAsync(database, owner));
        Assert.Equal(2, await CountedAsync(owner));
    }

    [Fact]
    public async Task Two_instances_writing_the_same_events_at_once_leave_each_once_in_rows_and_counters()
    {
        var owner = Owner();
        var events = Enumerable.Range(0, 5000).Select(i => Event(owner, Now.AddSeconds(-i * 7), keyId: $"key_{i % 4}")).ToList();
        var instances = new[] { Pipeline(database), Pipeline(database) };
        foreach (var (_, service) in instances)
        {
            await service.StartAsync(CancellationToken.None);
        }

        await Task.WhenAll(instances.Select(instance => Task.Run(() => events.ForEach(instance.Recorder.Record))));
        foreach (var (_, service) in instances)
        {
            await service.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
            await service.DisposeAsync();
        }

        Assert.Equal(5000, await RowsAsync(database, owner));
        Assert.Equal(5000, await CountedAsync(owner));
        Assert.Equal(5000, instances.Sum(i => i.Service.Written));
    }

    [Fact]
    public async Task Graceful_shutdown_writes_everything_queued_without_waiting_for_the_flush_interval()
    {
        var owner = Owner();

        // A flush interval far longer than the test: only the drain on stop can write these.
        var (recorder, service) = Pipeline(database, new UsageOptions { FlushInterval = TimeSpan.FromMinutes(10) });
        await service.StartAsync(CancellationToken.None);
        for (var i = 0; i < 20_000; i++)
        {
            recorder.Record(Event(owner, Now.AddMilliseconds(-i)));
        }

        await service.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        await service.DisposeAsync();

        Assert.Equal(20_000, await RowsAsync(database, owner));
        Assert.Equal(20_000, await CountedAsync(owner));
        Assert.Equal(20_000, service.Written);

        // After shutdown began, an event is refused and counted, never thrown.
        recorder.Record(Event(owner, Now));
        Assert.Equal(1, recorder.Dropped);
    }

    [Fact]
    public async Task An_event_the_table_refuses_is_dropped_alone_and_the_rest_of_its_batch_is_written()
    {
        var owner = Owner();
        var (recorder, service) = Pipeline(database);
        recorder.Record(Event(owner, Now));
        recorder.Record(Event(owner, Now, keyId: new string('k', 65))); // longer than key ids are
        recorder.Record(Event(owner, Now));
        await service.StartAsync(CancellationToken.None);

        await service.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        await service.DisposeAsync();

        Assert.Equal(2, await RowsAsync(database, owner));
    }

    [Fact]
    public async Task A_lone_event_is_flushed_without_more_traffic()
    {
        var owner = Owner();
        var (recorder, service) = Pipeline(database);
        await service.StartAsync(CancellationToken.None);
        await using var _ = service;

        recorder.Record(Event(owner, Now));

        // The flush interval is 250 ms; the deadline is generous for a loaded machine.
        await EventuallyAsync(async () => await RowsAsync(database, owner) == 1, TimeSpan.FromSeconds(15), "the lone event's flush");
    }

    [Fact]
    public async Task An_event_for_a_month_without_a_partition_creates_it()
    {
        var owner = Owner();
        var longAgo = new DateTimeOffset(2024, 2, 29, 12, 0, 0, TimeSpan.Zero);

        Assert.Equal(2, await Writer(database).WriteAsync([Event(owner, longAgo), Event(owner, longAgo.AddMonths(1))], CancellationToken.None));

        Assert.Equal(1, await database.ScalarAsync("SELECT count(*) FROM pg_class WHERE relname = 'usage_events_y2024m02'"));
        Assert.Equal(1, await database.ScalarAsync("SELECT count(*) FROM usage_events_y2024m03"));
    }

    [Fact]
    public async Task A_database_that_is_not_there_yet_keeps_the_batch_and_writes_it_once_it_is()
    {
        // The writer points at a database that does not exist: every write fails until it is created and migrated.
        var admin = new Npgsql.NpgsqlConnectionStringBuilder(database.ConnectionString);
        var lateName = "billing_t_late_" + Guid.NewGuid().ToString("N")[..12];
        var late = new Npgsql.NpgsqlConnectionStringBuilder(database.ConnectionString) { Database = lateName }.ConnectionString;
        await using var lateSource = Npgsql.NpgsqlDataSource.Create(late);
        var options = new UsageOptions();
        var recorder = new ChannelUsageRecorder(options, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<ChannelUsageRecorder>.Instance);
        var writerLog = new ListLogger<UsageWriterService>();
        var service = new UsageWriterService(recorder, new UsageWriter(lateSource, Microsoft.Extensions.Logging.Abstractions.NullLogger<UsageWriter>.Instance), options, writerLog);
        await service.StartAsync(CancellationToken.None);
        var owner = Owner();
        recorder.Record(Event(owner, Now));
        recorder.Record(Event(owner, Now));
        await EventuallyAsync(() => Task.FromResult(!writerLog.Entries.IsEmpty), TimeSpan.FromSeconds(30), "a failed write");

        await using (var connection = new Npgsql.NpgsqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE \"{lateName}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        try
        {
            await new Billing.Infrastructure.Persistence.SchemaMigrator(lateSource, Microsoft.Extensions.Logging.Abstractions.NullLogger<Billing.Infrastructure.Persistence.SchemaMigrator>.Instance)
                .MigrateAsync(CancellationToken.None);
            await EventuallyAsync(() => Task.FromResult(service.Written == 2), TimeSpan.FromSeconds(30), "the kept batch's write");
            await service.StopAsync(CancellationToken.None);
            await service.DisposeAsync();
            await using var count = lateSource.CreateCommand("SELECT count(*) FROM usage_events");
            Assert.Equal(2L, await count.ExecuteScalarAsync());
            Assert.Equal(0, recorder.Dropped);
        }
        finally
        {
            await PostgresServer.DropDatabaseAsync(late);
        }
    }

    private Task<long> CountedAsync(string owner) =>
        database.ScalarAsync($"SELECT coalesce(sum(requests), 0) FROM usage_hourly WHERE owner_user_id = '{owner}'");
}
