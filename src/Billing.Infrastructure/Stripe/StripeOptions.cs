using System.Globalization;
using Billing.Application.Abstractions.Stripe;
using Microsoft.Extensions.Configuration;

namespace Billing.Infrastructure.Stripe;

/// <summary>Stripe adapter settings. <see cref="ToString"/> never prints the secrets.</summary>
internal sealed class StripeOptions
{
    public const string SecretKeyVariable = "STRIPE_SECRET_KEY";
    public const string WebhookSecretVariable = "STRIPE_WEBHOOK_SECRET";
    public const string ApiBaseVariable = "STRIPE_API_BASE";
    public const string ApiVersionVariable = "STRIPE_API_VERSION";
    public const string TimeoutSecondsVariable = "STRIPE_TIMEOUT_SECONDS";
    public const string MaxRetriesVariable = "STRIPE_MAX_RETRIES";
    public const string WebhookToleranceSecondsVariable = "STRIPE_WEBHOOK_TOLERANCE_SECONDS";

    public static readonly Uri DefaultApiBase = new("https://api.stripe.com");

    /// <summary>Bearer key (<c>sk_…</c> or restricted <c>rk_…</c>).</summary>
    public required string SecretKey { get; init; }

    /// <summary>The webhook endpoint's signing secret (<c>whsec_…</c>), used verbatim as the HMAC key.</summary>
    public required string WebhookSecret { get; init; }

    public Uri ApiBase { get; init; } = DefaultApiBase;

    /// <summary>Sent as <c>Stripe-Version</c> on every request; create the webhook endpoint with the same version.</summary>
    public string ApiVersion { get; init; } = StripeApiVersions.Pinned;

    /// <summary>Per attempt, not per logical call (stripe-dotnet's default is 80 s).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(80);

    /// <summary>Retries after the first attempt (stripe-dotnet's default is 2).</summary>
    public int MaxRetries { get; init; } = 2;

    public TimeSpan WebhookTolerance { get; init; } = StripeWebhookSignature.DefaultTolerance;

    /// <summary>Backoff before retry n is <c>InitialRetryDelay × 2^(n-1)</c>, capped, jittered to 75–100 %.</summary>
    public TimeSpan InitialRetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Reads the <c>STRIPE_*</c> variables (environment variables surface verbatim as configuration keys).</summary>
    /// <exception cref="InvalidOperationException">A required variable is missing or a value is out of range.</exception>
    public static StripeOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        var secretKey = Required(configuration, SecretKeyVariable);
        var webhookSecret = Required(configuration, WebhookSecretVariable);

        var apiBaseText = Optional(configuration, ApiBaseVariable);
        var apiBase = DefaultApiBase;
        if (apiBaseText is not null)
        {
            if (!Uri.TryCreate(apiBaseText, UriKind.Absolute, out var parsed)
                || (parsed.Scheme != Uri.UriSchemeHttps && parsed.Scheme != Uri.UriSchemeHttp))
            {
                throw new InvalidOperationException($"{ApiBaseVariable} must be an absolute http(s) URL.");
            }

            apiBase = parsed;
        }

        return new StripeOptions
        {
            SecretKey = secretKey,
            WebhookSecret = webhookSecret,
            ApiBase = apiBase,
            ApiVersion = Optional(configuration, ApiVersionVariable) ?? StripeApiVersions.Pinned,
            RequestTimeout = TimeSpan.FromSeconds(ReadInt(configuration, TimeoutSecondsVariable, 80, min: 1, max: 600)),
            MaxRetries = ReadInt(configuration, MaxRetriesVariable, 2, min: 0, max: 10),
            WebhookTolerance = TimeSpan.FromSeconds(
                ReadInt(configuration, WebhookToleranceSecondsVariable, 300, min: 1, max: 3600)),
        };
    }

    public override string ToString() =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"StripeOptions {{ ApiBase = {ApiBase}, ApiVersion = {ApiVersion}, RequestTimeout = {RequestTimeout}, MaxRetries = {MaxRetries}, WebhookTolerance = {WebhookTolerance}, SecretKey = ***, WebhookSecret = *** }}");

    private static string Required(IConfiguration configuration, string name) =>
        Optional(configuration, name)
        ?? throw new InvalidOperationException($"{name} is not configured.");

    private static string? Optional(IConfiguration configuration, string name)
    {
        var value = configuration[name]?.Trim();
        return string.IsNullOrEmpty(value) ? null : value;
    }

    private static int ReadInt(IConfiguration configuration, string name, int defaultValue, int min, int max)
    {
        var text = Optional(configuration, name);
        if (text is null)
        {
            return defaultValue;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            || value < min
            || value > max)
        {
            throw new InvalidOperationException($"{name} must be an integer between {min} and {max}.");
        }

        return value;
    }
}
