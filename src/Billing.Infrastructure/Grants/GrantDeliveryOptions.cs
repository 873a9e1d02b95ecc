using System.Globalization;
using Billing.Infrastructure.Flash;
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

/// <summary>Settings of grant delivery (docs/decisions/0004 and 0007). Bad values fail at start-up naming the variable.</summary>
public sealed record GrantDeliveryOptions
{
    public const string ConcurrencyKey = "GRANT_CONCURRENCY";
    public const string GiveUpAfterKey = "GRANT_GIVE_UP_AFTER";
    public const string LeaseSecondsKey = "GRANT_LEASE_SECONDS";

    /// <summary>Variables an older version read; they are ignored now, and a start-up warning says what replaced them.</summary>
    public static readonly IReadOnlyDictionary<string, string> ObsoleteKeys = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["GRANT_MAX_ATTEMPTS"] = $"grants are dead-lettered by time, {GiveUpAfterKey} (default 7d); attempts that were never sent do not count",
        ["GRANT_BATCH_SIZE"] = $"a dispatcher claims at most {ConcurrencyKey} rows at a time, what it can send at once",
    };

    /// <summary>How long before a lease ends its attempt must have finished: room to save the outcome after the send's timeout.</summary>
    public static readonly TimeSpan LeaseMargin = TimeSpan.FromSeconds(1);

    /// <summary>How far before the first attempt that may have been applied a history search reaches: the clocks of billing and
    /// Flash may disagree by this much.</summary>
    public static readonly TimeSpan ClockSkewMargin = TimeSpan.FromMinutes(5);

    /// <summary>Sends in flight at once per instance, and so the most rows one claim takes.</summary>
    public int Concurrency { get; init; } = 16;

    /// <summary>A grant whose first counted failure is older than this is dead-lettered (attempts never sent do not count).</summary>
    public TimeSpan GiveUpAfter { get; init; } = TimeSpan.FromDays(7);

    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a row is kept from other dispatchers; set right before each send and strictly longer than the longest
    /// attempt (the Flash timeout plus <see cref="LeaseMargin"/>), checked at start-up.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long after an ambiguous attempt its outcome is looked up in Flash's history (a slow request may still land).</summary>
    public TimeSpan AmbiguousSettle { get; init; } = TimeSpan.FromSeconds(30);

    public AmbiguousGrantPolicy AmbiguousPolicy { get; init; } = AmbiguousGrantPolicy.Hold;

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How many history pages (100 rows each) are searched for a grant's key; running out of pages proves nothing.</summary>
    public int HistoryPages { get; init; } = 20;

    /// <summary>The settings with the lease checked against Flash's own timeout (read from the same configuration).</summary>
    /// <exception cref="InvalidOperationException">A value is present but not valid (the message names it).</exception>
    public static GrantDeliveryOptions FromConfiguration(IConfiguration configuration) =>
        FromConfiguration(configuration, FlashOptions.FromConfiguration(configuration));

    internal static GrantDeliveryOptions FromConfiguration(IConfiguration configuration, FlashOptions flash)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(flash);
        var options = new GrantDeliveryOptions
        {
            Concurrency = SettingValues.Int(configuration, ConcurrencyKey, 16, min: 1, max: 256),
            GiveUpAfter = ReadDuration(configuration, GiveUpAfterKey) ?? TimeSpan.FromDays(7),
            RetryBaseDelay = TimeSpan.FromMilliseconds(SettingValues.Int(configuration, "GRANT_RETRY_BASE_MS", 1000, min: 1)),
            RetryMaxDelay = TimeSpan.FromSeconds(SettingValues.Int(configuration, "GRANT_RETRY_MAX_SECONDS", 300, min: 1)),
            Lease = TimeSpan.FromSeconds(SettingValues.Int(configuration, LeaseSecondsKey, 60, min: 1)),
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

        // The longest attempt is one send with its timeout; a lease that can end before it lets a second instance send again.
        if (options.Lease < flash.AttemptTimeout + LeaseMargin)
        {
            throw new InvalidOperationException(string.Create(
                CultureInfo.InvariantCulture,
                $"{LeaseSecondsKey} ({options.Lease.TotalSeconds:0.###} s) must be at least {FlashOptions.TimeoutSecondsKey} ({flash.AttemptTimeout.TotalSeconds:0.###} s) + {LeaseMargin.TotalSeconds:0} s: a lease that ends while a grant is being sent lets another instance send it again."));
        }

        return options;
    }

    /// <summary>Reads "7d", "36h", "90m", "45s" or a .NET TimeSpan ("7.00:00:00"); must be positive.</summary>
    private static TimeSpan? ReadDuration(IConfiguration configuration, string key)
    {
        var text = configuration[key]?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        TimeSpan? value = text[^1] switch
        {
            'd' or 'h' or 'm' or 's' when double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) => text[^1] switch
            {
                'd' => TimeSpan.FromDays(number),
                'h' => TimeSpan.FromHours(number),
                'm' => TimeSpan.FromMinutes(number),
                _ => TimeSpan.FromSeconds(number),
            },
            _ => TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) ? span : null,
        };

        return value is { } positive && positive > TimeSpan.Zero
            ? positive
            : throw new InvalidOperationException($"{key} must be a positive duration such as 7d, 36h, 90m or 45s (got '{text}').");
    }
}
