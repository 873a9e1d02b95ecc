using Billing.Infrastructure.Configuration;
using Microsoft.Extensions.Configuration;

namespace Billing.Infrastructure.Inbox;

/// <summary>How the inbox processor polls (NOTIFY wakes it sooner) and how many events it processes at once.</summary>
public sealed record InboxOptions
{
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    public int Concurrency { get; init; } = 4;

    /// <exception cref="InvalidOperationException">A value is present but not a number in range (the message names it).</exception>
    public static InboxOptions FromConfiguration(IConfiguration configuration) => new()
    {
        PollInterval = TimeSpan.FromMilliseconds(SettingValues.Int(configuration, "INBOX_POLL_INTERVAL_MS", 1000, min: 10)),
        Concurrency = SettingValues.Int(configuration, "INBOX_CONCURRENCY", 4, min: 1, max: 256),
    };
}
