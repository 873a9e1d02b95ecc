using Billing.Application.Reconciliation;
using Microsoft.Extensions.Configuration;

namespace Billing.Infrastructure.Reconciliation;

/// <summary><c>RECONCILE_INTERVAL</c>: how often every source is reconciled (default 1h; <c>0</c> or <c>off</c> disables the schedule).</summary>
public sealed record ReconciliationOptions
{
    public const string IntervalVariable = "RECONCILE_INTERVAL";

    /// <summary>Null: no scheduled runs (on-demand runs still work).</summary>
    public TimeSpan? Interval { get; init; } = TimeSpan.FromHours(1);

    /// <exception cref="InvalidOperationException">The value is not a duration (the message names the variable).</exception>
    public static ReconciliationOptions FromConfiguration(IConfiguration configuration)
    {
        var text = configuration[IntervalVariable]?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return new ReconciliationOptions();
        }

        if (text is "0" || text.Equals("off", StringComparison.OrdinalIgnoreCase))
        {
            return new ReconciliationOptions { Interval = null };
        }

        return Durations.TryParse(text, out var interval) && interval >= TimeSpan.FromMinutes(1)
            ? new ReconciliationOptions { Interval = interval }
            : throw new InvalidOperationException($"{IntervalVariable} must be a duration of at least 1 minute such as 1h, 30m or 1d, or 0/off to disable (got '{text}').");
    }
}
