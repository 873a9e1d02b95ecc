using Billing.Infrastructure.Configuration;
using Microsoft.Extensions.Configuration;

namespace Billing.Infrastructure.Grants;

/// <summary>What to do with an attempt that may have reached Flash when Flash's history cannot be read (docs/decisions/0004).</summary>
public enum AmbiguousGrantPolicy
{
    /// <summary>Hold it as in_doubt for an operator (default): never risk a double grant.</summary>
    Hold,

    /// <summary>Send it again: never risk a lost grant, accepting a possible double. Only for deployments that prefer that.</summary>
    Resend,
}

public sealed record GrantDeliveryOptions
{
    public int BatchSize { get; init; } = 200;

    public int Concurrency { get; init; } = 16;

    public int MaxAttempts { get; init; } = 30;

    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a claimed row is kept from other dispatchers; must outlast one Flash call with its timeout.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long after an ambiguous attempt its outcome is looked up in Flash's history (a slow request may still land).</summary>
    public TimeSpan AmbiguousSettle { get; init; } = TimeSpan.FromSeconds(30);

    public AmbiguousGrantPolicy AmbiguousPolicy { get; init; } = AmbiguousGrantPolicy.Hold;

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How many history pages (100 rows each) are searched for a grant's key before concluding it was not applied.</summary>
    public int HistoryPages { get; init; } = 20;

    /// <exception cref="InvalidOperationException">A value is present but not a number in range (the message names it).</exception>
    public static GrantDeliveryOptions FromConfiguration(IConfiguration configuration) => new()
    {
        BatchSize = SettingValues.Int(configuration, "GRANT_BATCH_SIZE", 200, min: 1, max: 1000),
        Concurrency = SettingValues.Int(configuration, "GRANT_CONCURRENCY", 16, min: 1, max: 256),
        MaxAttempts = SettingValues.Int(configuration, "GRANT_MAX_ATTEMPTS", 30, min: 1),
        RetryBaseDelay = TimeSpan.FromMilliseconds(SettingValues.Int(configuration, "GRANT_RETRY_BASE_MS", 1000, min: 1)),
        RetryMaxDelay = TimeSpan.FromSeconds(SettingValues.Int(configuration, "GRANT_RETRY_MAX_SECONDS", 300, min: 1)),
        Lease = TimeSpan.FromSeconds(SettingValues.Int(configuration, "GRANT_LEASE_SECONDS", 60, min: 1)),
        AmbiguousSettle = TimeSpan.FromMilliseconds(SettingValues.Int(configuration, "GRANT_AMBIGUOUS_SETTLE_MS", 30_000, min: 0)),
        AmbiguousPolicy = configuration["GRANT_AMBIGUOUS_POLICY"] switch
        {
            null or "" or "hold" => AmbiguousGrantPolicy.Hold,
            "resend" => AmbiguousGrantPolicy.Resend,
            var other => throw new InvalidOperationException($"GRANT_AMBIGUOUS_POLICY must be 'hold' or 'resend', not '{other}'."),
        },
        PollInterval = TimeSpan.FromMilliseconds(SettingValues.Int(configuration, "GRANT_POLL_INTERVAL_MS", 1000, min: 10)),
        HistoryPages = SettingValues.Int(configuration, "GRANT_HISTORY_PAGES", 20, min: 1),
    };
}
