using Npgsql;

namespace Billing.Infrastructure.Usage;

/// <summary>
/// Keeps the monthly partitions of usage_events: the current and next two months exist ahead of time, and every month
/// that ended more than <see cref="UsageOptions.RetentionDays"/> ago is dropped whole (a DROP, not a DELETE: no bloat).
/// </summary>
public sealed class UsagePartitionMaintenance(NpgsqlDataSource dataSource, UsageOptions options)
{
    public const int MonthsAhead = 2;

    public async Task<(IReadOnlyList<DateOnly> Created, IReadOnlyList<string> Dropped)> RunAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var created = new List<DateOnly>();
        var month = new DateOnly(now.UtcDateTime.Year, now.UtcDateTime.Month, 1);
        for (var i = 0; i <= MonthsAhead; i++)
        {
            if (await UsageWriter.EnsurePartitionAsync(dataSource, month.AddMonths(i), cancellationToken))
            {
                created.Add(month.AddMonths(i));
            }
        }

        var dropped = new List<string>();
        await using var command = dataSource.CreateCommand("SELECT billing_usage_drop_partitions_before($1)");
        command.Parameters.AddWithValue(now.UtcDateTime - TimeSpan.FromDays(options.RetentionDays));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            dropped.Add(reader.GetString(0));
        }

        return (created, dropped);
    }
}
