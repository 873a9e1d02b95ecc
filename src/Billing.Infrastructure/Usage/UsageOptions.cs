using Microsoft.Extensions.Configuration;

namespace Billing.Infrastructure.Usage;

/// <summary>How usage events are buffered, written and kept.</summary>
public sealed record UsageOptions
{
    public const string RetentionVariable = "USAGE_RETENTION_DAYS";

    /// <summary>The longest an event waits in memory before its batch is written (the window a SIGKILL can lose).</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Rows per INSERT statement.</summary>
    public int MaxBatch { get; init; } = 1000;

    /// <summary>Events held in memory while the database is slow or down; beyond that new events are dropped (and logged).</summary>
    public int QueueCapacity { get; init; } = 100_000;

    /// <summary>Whole months are dropped once their last day is older than this.</summary>
    public int RetentionDays { get; init; } = 400;

    /// <summary>How often partitions are created ahead and old ones dropped (also once at start).</summary>
    public TimeSpan MaintenanceInterval { get; init; } = TimeSpan.FromDays(1);

    public static UsageOptions FromConfiguration(IConfiguration configuration)
    {
        var retention = configuration[RetentionVariable];
        if (string.IsNullOrWhiteSpace(retention))
        {
            return new UsageOptions();
        }

        return int.TryParse(retention, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var days) && days >= 1
            ? new UsageOptions { RetentionDays = days }
            : throw new InvalidOperationException($"{RetentionVariable} must be a whole number of days (1 or more), not '{retention}'.");
    }
}
