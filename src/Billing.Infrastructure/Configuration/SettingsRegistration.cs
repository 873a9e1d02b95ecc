using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Billing.Infrastructure.Configuration;

/// <summary>
/// The one idiom for every settings class: read once from the host's configuration by the class's own reader (whose error
/// names the variable), exposed as <see cref="IOptions{TOptions}"/> and as the class itself, and validated when the host
/// starts, so bad configuration stops the service at start-up instead of failing the first request that needs it.
/// </summary>
public static class SettingsRegistration
{
    /// <param name="services">The container.</param>
    /// <param name="read">The class's reader; throws <see cref="InvalidOperationException"/> naming the variable.</param>
    /// <param name="fallback">Read when the container has no <see cref="IConfiguration"/> (a bare container in a test).</param>
    public static IServiceCollection AddSettings<T>(this IServiceCollection services, Func<IConfiguration, T> read, IConfiguration? fallback = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(read);
        services.AddOptions<T>().ValidateOnStart();
        services.AddSingleton<IOptionsFactory<T>>(sp => new SettingsFactory<T>(() => read(
            sp.GetService<IConfiguration>() ?? fallback ?? throw new InvalidOperationException("No configuration is registered."))));
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<T>>().Value);
        return services;
    }

    private sealed class SettingsFactory<T>(Func<T> read) : IOptionsFactory<T>
        where T : class
    {
        public T Create(string name)
        {
            try
            {
                return read();
            }
            catch (InvalidOperationException invalid)
            {
                throw new OptionsValidationException(name, typeof(T), [invalid.Message]);
            }
        }
    }
}

/// <summary>Strict readers for settings: a value that is present but out of range is an error naming the variable, never clamped.</summary>
public static class SettingValues
{
    public static string? Text(IConfiguration configuration, string key)
    {
        var value = configuration[key]?.Trim();
        return string.IsNullOrEmpty(value) ? null : value;
    }

    public static int Int(IConfiguration configuration, string key, int defaultValue, int min, int max = int.MaxValue)
    {
        var text = Text(configuration, key);
        if (text is null)
        {
            return defaultValue;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new InvalidOperationException(max == int.MaxValue
                ? $"{key} must be an integer of at least {min}."
                : $"{key} must be an integer between {min} and {max}.");
    }

    public static bool Bool(IConfiguration configuration, string key, bool defaultValue) =>
        Text(configuration, key) switch
        {
            null => defaultValue,
            var text when bool.TryParse(text, out var value) => value,
            _ => throw new InvalidOperationException($"{key} must be 'true' or 'false'."),
        };
}
