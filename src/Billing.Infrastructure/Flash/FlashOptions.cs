using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Billing.Infrastructure.Flash;

/// <summary>
/// Settings for the Flash clients, read from environment-variable style keys. Holds secrets, so it never prints them:
/// <see cref="ToString"/> only says which ones are set.
/// </summary>
internal sealed class FlashOptions
{
    public const string BaseUrlKey = "MAIN_APP_INTERNAL_URL";
    public const string ServiceKeyKey = "FLASH_SERVICE_KEY";
    public const string AdminKeyKey = "FLASH_ADMIN_KEY";
    public const string GatewaySigningSecretKey = "FLASH_GATEWAY_SIGNING_SECRET";
    public const string CreditsApiUrlKey = "FLASH_CREDITS_API_URL";
    public const string CreditsServiceKeyKey = "FLASH_CREDITS_SERVICE_KEY";
    public const string TimeoutSecondsKey = "FLASH_TIMEOUT_SECONDS";
    public const string GenerateTimeoutSecondsKey = "FLASH_GENERATE_TIMEOUT_SECONDS";
    public const string ReadRetriesKey = "FLASH_READ_RETRIES";
    public const string CircuitBreakSecondsKey = "FLASH_CIRCUIT_BREAK_SECONDS";
    public const string CircuitMinimumThroughputKey = "FLASH_CIRCUIT_MIN_THROUGHPUT";

    /// <summary>Flash's base URL (<c>MAIN_APP_INTERNAL_URL</c>). Required to make any call.</summary>
    public Uri? BaseUrl { get; init; }

    public string? ServiceKey { get; init; }

    public string? AdminKey { get; init; }

    /// <summary>When set, every request is gateway-signed and <c>X-User-Id</c> is only ever sent signed.</summary>
    public string? GatewaySigningSecret { get; init; }

    /// <summary>Base URL of the <c>/internal/credits/*</c> API; optional.</summary>
    public Uri? CreditsApiUrl { get; init; }

    /// <summary>Key for <c>/internal/credits/*</c>; falls back to <see cref="ServiceKey"/>.</summary>
    public string? CreditsServiceKey { get; init; }

    /// <summary>Per-attempt timeout for every call except generation (default 5 s).</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Timeout for sync generation, and for the stream to return its headers. Flash's own sync limit is 300 s.</summary>
    public TimeSpan GenerateTimeout { get; init; } = TimeSpan.FromSeconds(330);

    /// <summary>Retries after the first attempt, for reads only (0 disables).</summary>
    public int ReadRetryCount { get; init; } = 2;

    public TimeSpan ReadRetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public double CircuitFailureRatio { get; init; } = 0.5;

    /// <summary>Attempts seen in the sampling window before the breaker may open (Polly's minimum is 2).</summary>
    public int CircuitMinimumThroughput { get; init; } = 10;

    public TimeSpan CircuitSamplingDuration { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan CircuitBreakDuration { get; init; } = TimeSpan.FromSeconds(30);

    public bool IsSigned => !string.IsNullOrEmpty(GatewaySigningSecret);

    public string? EffectiveCreditsServiceKey => string.IsNullOrEmpty(CreditsServiceKey) ? ServiceKey : CreditsServiceKey;

    public bool IsCreditsApiConfigured => CreditsApiUrl is not null && !string.IsNullOrEmpty(EffectiveCreditsServiceKey);

    public static FlashOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var defaults = new FlashOptions();
        return new FlashOptions
        {
            BaseUrl = ReadUrl(configuration, BaseUrlKey),
            ServiceKey = ReadText(configuration, ServiceKeyKey),
            AdminKey = ReadText(configuration, AdminKeyKey),
            GatewaySigningSecret = ReadText(configuration, GatewaySigningSecretKey),
            CreditsApiUrl = ReadUrl(configuration, CreditsApiUrlKey),
            CreditsServiceKey = ReadText(configuration, CreditsServiceKeyKey),
            AttemptTimeout = ReadSeconds(configuration, TimeoutSecondsKey) ?? defaults.AttemptTimeout,
            GenerateTimeout = ReadSeconds(configuration, GenerateTimeoutSecondsKey) ?? defaults.GenerateTimeout,
            ReadRetryCount = ReadInt(configuration, ReadRetriesKey, minimum: 0) ?? defaults.ReadRetryCount,
            CircuitBreakDuration = ReadSeconds(configuration, CircuitBreakSecondsKey) ?? defaults.CircuitBreakDuration,
            CircuitMinimumThroughput = ReadInt(configuration, CircuitMinimumThroughputKey, minimum: 2) ?? defaults.CircuitMinimumThroughput,
        };
    }

    /// <summary>Throws when the settings needed for Flash's own API are missing; called when a client is built, not at startup,
    /// so hosts that never call Flash (tests, tools) still start.</summary>
    public Uri RequireBaseUrl() =>
        BaseUrl ?? throw new InvalidOperationException($"{BaseUrlKey} is not configured; the Flash client cannot be used.");

    public override string ToString() =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"FlashOptions {{ BaseUrl = {BaseUrl}, Signed = {IsSigned}, ServiceKeySet = {!string.IsNullOrEmpty(ServiceKey)}, " +
            $"AdminKeySet = {!string.IsNullOrEmpty(AdminKey)}, CreditsApiUrl = {CreditsApiUrl}, AttemptTimeout = {AttemptTimeout} }}");

    private static string? ReadText(IConfiguration configuration, string key)
    {
        var value = configuration[key]?.Trim();
        return string.IsNullOrEmpty(value) ? null : value;
    }

    private static Uri? ReadUrl(IConfiguration configuration, string key)
    {
        var value = ReadText(configuration, key);
        if (value is null)
        {
            return null;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new InvalidOperationException($"{key} must be an absolute http(s) URL.");
        }

        // A trailing slash keeps any path prefix when relative routes are appended.
        return url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
    }

    private static TimeSpan? ReadSeconds(IConfiguration configuration, string key)
    {
        var value = ReadText(configuration, key);
        if (value is null)
        {
            return null;
        }

        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds <= 0 || double.IsInfinity(seconds))
        {
            throw new InvalidOperationException($"{key} must be a positive number of seconds.");
        }

        return TimeSpan.FromSeconds(seconds);
    }

    private static int? ReadInt(IConfiguration configuration, string key, int minimum)
    {
        var value = ReadText(configuration, key);
        if (value is null)
        {
            return null;
        }

        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) || number < minimum)
        {
            throw new InvalidOperationException($"{key} must be an integer of at least {minimum}.");
        }

        return number;
    }
}
