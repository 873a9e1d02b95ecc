using System.Globalization;
using Billing.Application.Abstractions.Usage;

namespace Billing.Application.Usage.GetUsage;

/// <summary>The bucket arithmetic of the usage routes: parsing, defaults, and widening a range to whole UTC buckets.</summary>
internal static class UsageWindow
{
    public const string Hour = "hour";
    public const string Day = "day";

    /// <summary>The most buckets one answer spans per key: a month of hours, or the default retention in days.</summary>
    public static readonly TimeSpan MaxHourSpan = TimeSpan.FromDays(31);
    public static readonly TimeSpan MaxDaySpan = TimeSpan.FromDays(400);

    public static bool TryParseGranularity(string? value, out UsageGranularity granularity)
    {
        switch (value)
        {
            case null or "" or Day:
                granularity = UsageGranularity.Day;
                return true;
            case Hour:
                granularity = UsageGranularity.Hour;
                return true;
            default:
                granularity = default;
                return false;
        }
    }

    public static bool TryParseTimestamp(string? value, out DateTimeOffset timestamp) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out timestamp);

    /// <summary>The range to aggregate, in whole buckets: from floored, to ceiled; defaults counted back from now.</summary>
    public static (DateTimeOffset From, DateTimeOffset To) Resolve(string? from, string? to, UsageGranularity granularity, DateTimeOffset now)
    {
        var end = to is null ? now : Parse(to);
        var start = from is null ? end - (granularity == UsageGranularity.Hour ? TimeSpan.FromHours(24) : TimeSpan.FromDays(30)) : Parse(from);
        return (Floor(start, granularity), Ceiling(end, granularity));
    }

    public static DateTimeOffset Floor(DateTimeOffset value, UsageGranularity granularity)
    {
        var utc = value.UtcDateTime;
        return granularity == UsageGranularity.Hour
            ? new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero)
            : new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero);
    }

    public static DateTimeOffset Ceiling(DateTimeOffset value, UsageGranularity granularity)
    {
        var floor = Floor(value, granularity);
        return floor == value ? floor : floor + (granularity == UsageGranularity.Hour ? TimeSpan.FromHours(1) : TimeSpan.FromDays(1));
    }

    private static DateTimeOffset Parse(string value) =>
        TryParseTimestamp(value, out var parsed) ? parsed : throw new FormatException("not a timestamp (validated before)");
}
