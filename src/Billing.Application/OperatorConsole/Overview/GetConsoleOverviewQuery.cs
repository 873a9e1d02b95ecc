using Billing.Application.Abstractions.Messaging;

namespace Billing.Application.OperatorConsole.Overview;

/// <summary>The console's first page: money in and credits out today and this month (UTC), backlogs, and 7-day series.</summary>
public sealed record GetConsoleOverviewQuery : IQuery<ConsoleOverview>;

public sealed record ConsoleOverview(
    DateTimeOffset Now,
    IReadOnlyList<ProviderTotals> Providers,
    IReadOnlyDictionary<string, int> GrantsByStatus,
    InboxBacklog Inbox,
    IReadOnlyList<SeriesPoint> PaymentsPerHour,
    IReadOnlyList<SeriesPoint> WebhooksPerHour,
    IReadOnlyList<LatencyPoint> GrantLatencyPerDay,
    IReadOnlyDictionary<string, int> OpenAttentionItems,
    IReadOnlyList<RelayPoint> RelayPerHour);

/// <summary>Metered developer calls through the relay in one hour, and how many of them were refused with 429.</summary>
public sealed record RelayPoint(DateTimeOffset At, long Requests, long RateLimited);

/// <summary>Payments (one-time purchases and paid subscription periods) and credits delivered, per provider.</summary>
public sealed record ProviderTotals(
    string Provider,
    int PaymentsToday,
    long AmountTodayMinor,
    int PaymentsMonth,
    long AmountMonthMinor,
    long CreditsToday,
    long CreditsMonth);

public sealed record InboxBacklog(int Received, int Failed, DateTimeOffset? OldestReceivedAt);

public sealed record SeriesPoint(DateTimeOffset At, int Value);

/// <summary>Time from the grant row's creation to Flash's confirmation, for grants delivered that day (seconds).</summary>
public sealed record LatencyPoint(DateTimeOffset Day, int Count, double P50Seconds, double P95Seconds);
