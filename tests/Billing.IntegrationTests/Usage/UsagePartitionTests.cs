using Billing.Infrastructure.Usage;
using Billing.IntegrationTests.Infrastructure;
using static Billing.IntegrationTests.Usage.UsageTestKit;

namespace Billing.IntegrationTests.Usage;

/// <summary>Monthly partitions created ahead and dropped past retention. Own database: it drops partitions.</summary>
public sealed class UsagePartitionTests(BillingDatabase database) : IClassFixture<BillingDatabase>
{
    [Fact]
    public async Task Maintenance_creates_months_ahead_and_drops_whole_months_past_retention()
    {
        var writer = Writer(database);
        var owner = Owner();
        // Rows in March, April and May 2029 (their partitions are created on demand by the writer).
        await writer.WriteAsync(
            [
                Event(owner, new DateTimeOffset(2029, 3, 31, 23, 59, 59, TimeSpan.Zero)),
                Event(owner, new DateTimeOffset(2029, 4, 1, 0, 0, 0, TimeSpan.Zero)),
                Event(owner, new DateTimeOffset(2029, 5, 20, 0, 0, 0, TimeSpan.Zero)),
            ],
            CancellationToken.None);
        var maintenance = new UsagePartitionMaintenance(database.DataSource, new UsageOptions { RetentionDays = 400 });

        // 400 days before 2030-05-15 is 2029-04-10: March 2029 ended before it and goes; April 2029 ends after it and stays.
        var (created, dropped) = await maintenance.RunAsync(new DateTimeOffset(2030, 5, 15, 8, 0, 0, TimeSpan.Zero), CancellationToken.None);

        Assert.Equal([new DateOnly(2030, 5, 1), new DateOnly(2030, 6, 1), new DateOnly(2030, 7, 1)], created);
        Assert.Contains("usage_events_y2029m03", dropped);
        Assert.DoesNotContain("usage_events_y2029m04", dropped);
        Assert.DoesNotContain("usage_events_y2029m05", dropped);
        Assert.Equal(0, await PartitionCountAsync("usage_events_y2029m03"));
        Assert.Equal(2, await RowsAsync(database, owner));

        // Idempotent: a second run (another instance, the next day) creates and drops nothing.
        var again = await maintenance.RunAsync(new DateTimeOffset(2030, 5, 15, 9, 0, 0, TimeSpan.Zero), CancellationToken.None);
        Assert.Empty(again.Created);
        Assert.Empty(again.Dropped);
    }

    [Fact]
    public async Task Two_instances_creating_the_same_month_at_once_both_succeed()
    {
        var maintenance = new UsagePartitionMaintenance(database.DataSource, new UsageOptions { RetentionDays = 100_000 });
        var now = new DateTimeOffset(2031, 1, 10, 0, 0, 0, TimeSpan.Zero);

        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => maintenance.RunAsync(now, CancellationToken.None)));

        Assert.Equal(3, runs.Sum(r => r.Created.Count));
        Assert.Equal(1, await PartitionCountAsync("usage_events_y2031m02"));
    }

    private Task<long> PartitionCountAsync(string name) =>
        database.ScalarAsync($"SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'usage_events'::regclass AND c.relname = '{name}'");
}
