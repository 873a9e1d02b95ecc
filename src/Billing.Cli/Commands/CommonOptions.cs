using System.CommandLine;

namespace Billing.Cli.Commands;

internal static class CommonOptions
{
    /// <summary>Every change needs a reason; it goes into the audit log with the actor cli:&lt;os user&gt;.</summary>
    public static Option<string> Reason() => new("--reason") { Description = "Why (required; written to the audit log).", Required = true };

    public static Option<int> Limit(int defaultValue = 100) => new("--limit") { Description = "At most this many rows.", DefaultValueFactory = _ => defaultValue };

    public static string When(DateTimeOffset? at) => at?.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture) ?? "";
}
