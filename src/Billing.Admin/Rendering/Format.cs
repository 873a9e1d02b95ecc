using System.Globalization;

namespace Billing.Admin.Rendering;

internal static class Format
{
    public static string When(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + (at is null ? "" : " UTC");

    public static string Usd(long minor) => (minor / 100m).ToString("$#,0.00", CultureInfo.InvariantCulture);

    public static string Number(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    public static string Duration(double seconds) => seconds switch
    {
        < 1 => $"{seconds * 1000:0} ms",
        < 120 => $"{seconds:0.0} s",
        < 7200 => $"{seconds / 60:0} min",
        _ => $"{seconds / 3600:0.0} h",
    };

    public static string Age(DateTimeOffset? since, DateTimeOffset now) => since is null ? "" : Duration((now - since.Value).TotalSeconds);
}
