namespace Billing.Application.Abstractions.Apple;

/// <summary>
/// Sandbox money is not real money (docs/decisions/0010). A service configured for Production that also accepts Sandbox data
/// (<c>APPLE_ALLOW_SANDBOX=true</c>, for App Review) grants credits for a Sandbox transaction only to the Flash users on
/// <c>APPLE_SANDBOX_USERS</c>, and at most <c>APPLE_SANDBOX_MAX_CREDITS_PER_DAY</c> per user and UTC day; anything else is
/// verified, recorded with its environment and granted nothing. A service configured for Sandbox grants as usual.
/// </summary>
public sealed record AppleSandboxPolicy(bool ProductionService, IReadOnlySet<string> AllowedUsers, int MaxCreditsPerDay)
{
    public const string UsersVariable = "APPLE_SANDBOX_USERS";
    public const string MaxCreditsPerDayVariable = "APPLE_SANDBOX_MAX_CREDITS_PER_DAY";
    public const int DefaultMaxCreditsPerDay = 2000;

    public const string SandboxEnvironment = "Sandbox";

    /// <summary>No restriction: a Sandbox-configured service (staging), where Sandbox is the only money there is.</summary>
    public static AppleSandboxPolicy Unrestricted { get; } = new(false, new HashSet<string>(StringComparer.Ordinal), DefaultMaxCreditsPerDay);

    /// <summary>Data from this environment is restricted by the policy (Sandbox data in a Production service).</summary>
    public bool Restricts(string? environment) =>
        ProductionService && string.Equals(environment, SandboxEnvironment, StringComparison.Ordinal);

    /// <summary>Reads the two variables; a malformed value throws naming the variable (start-up fails).</summary>
    public static AppleSandboxPolicy From(bool productionService, string? users, string? maxCreditsPerDay)
    {
        var allowed = (users ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .ToHashSet(StringComparer.Ordinal);
        var max = DefaultMaxCreditsPerDay;
        if (!string.IsNullOrWhiteSpace(maxCreditsPerDay)
            && (!int.TryParse(maxCreditsPerDay.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out max) || max < 0))
        {
            throw new InvalidOperationException($"{MaxCreditsPerDayVariable} must be a whole number of credits (0 or more).");
        }

        return new AppleSandboxPolicy(productionService, allowed, max);
    }
}
