using System.Globalization;

namespace Billing.Application.Reconciliation;

/// <summary>"72h", "30m", "7d", "45s" or a .NET TimeSpan ("3.00:00:00"), as operators type them.</summary>
public static class Durations
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        if (text[^1] is 'd' or 'h' or 'm' or 's' && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            && double.IsFinite(number) && number > 0 && number < 1e6)
        {
            value = text[^1] switch
            {
                'd' => TimeSpan.FromDays(number),
                'h' => TimeSpan.FromHours(number),
                'm' => TimeSpan.FromMinutes(number),
                _ => TimeSpan.FromSeconds(number),
            };
            return true;
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value) && value > TimeSpan.Zero;
    }
}
