using System.Globalization;
using Billing.Application.Abstractions.Stripe;
using Billing.Infrastructure.Configuration;
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

    /// <summary>Stripe.net's own default (<c>EventUtility</c>'s tolerance), in either direction.</summary>
    public static readonly TimeSpan DefaultWebhookTolerance = TimeSpan.FromSeconds(300);

    /// <summary>Bearer key (<c>sk_…</c> or restricted <c>rk_…</c>).</summary>
    public required string SecretKey { get; init; }

    /// <summary>The webhook endpoint's signing secret (<c>whsec_…</c>), used verbatim as the HMAC key.</summary>
    public required string WebhookSecret { get; init; }

    public Uri ApiBase { get; init; } = DefaultApiBase;

    /// <summary>Stripe.net's pinned version, sent as <c>Stripe-Version</c>; the webhook endpoint must be created with it.</summary>
    public string ApiVersion => StripeApiVersions.Pinned;

    /// <summary>Per attempt, not per logical call (stripe-dotnet's default is 80 s).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(80);

    /// <summary>Retries after the first attempt (stripe-dotnet's default is 2).</summary>
    public int MaxRetries { get; init; } = 2;

    public TimeSpan WebhookTolerance { get; init; } = DefaultWebhookTolerance;

    /// <summary>Backoff before retry n is <c>InitialRetryDelay × 2^(n-1)</c>, capped, jittered to 75–100 %.</summary>
    public TimeSpan InitialRetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Reads the <c>STRIPE_*</c> variables (environment variables surface verbatim as configuration keys).</summary>
    /// <exception cref="InvalidOperationException">A required variable is missing or a value is malformed (the message names it).</exception>
    public static StripeOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var tuning = ReadTuning(configuration);
        return new StripeOptions
        {
            SecretKey = Required(configuration, SecretKeyVariable),
            WebhookSecret = Required(configuration, WebhookSecretVariable),
            ApiBase = tuning.ApiBase,
            RequestTimeout = tuning.RequestTimeout,
            MaxRetries = tuning.MaxRetries,
            WebhookTolerance = tuning.WebhookTolerance,
        };
    }

    /// <summary>
    /// The optional variables: checked even when the keys are missing (Stripe then answers 503), so a malformed value
    /// always stops the service at start-up.
    /// </summary>
    /// <exception cref="InvalidOperationException">A value is malformed (the message names the variable).</exception>
    public static (Uri ApiBase, TimeSpan RequestTimeout, int MaxRetries, TimeSpan WebhookTolerance) ReadTuning(IConfiguration configuration)
    {
        var apiBase = DefaultApiBase;
        if (SettingValues.Text(configuration, ApiBaseVariable) is { } apiBaseText)
        {
            if (!Uri.TryCreate(apiBaseText, UriKind.Absolute, out var parsed)
                || (parsed.Scheme != Uri.UriSchemeHttps && parsed.Scheme != Uri.UriSchemeHttp))
            {
                throw new InvalidOperationException($"{ApiBaseVariable} must be an absolute http(s) URL.");
            }

            apiBase = parsed;
        }

        // Stripe.net's models are generated for one API version: another one would be read in the wrong shape.
        if (SettingValues.Text(configuration, ApiVersionVariable) is { } version && version != StripeApiVersions.Pinned)
        {
            throw new InvalidOperationException(
                $"{ApiVersionVariable} must be {StripeApiVersions.Pinned} (the version Stripe.net is built for) or unset.");
        }

        return (
            apiBase,
            TimeSpan.FromSeconds(SettingValues.Int(configuration, TimeoutSecondsVariable, 80, min: 1, max: 600)),
            SettingValues.Int(configuration, MaxRetriesVariable, 2, min: 0, max: 10),
            TimeSpan.FromSeconds(SettingValues.Int(configuration, WebhookToleranceSecondsVariable, 300, min: 1, max: 3600)));
    }

    public override string ToString() =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"StripeOptions {{ ApiBase = {ApiBase}, ApiVersion = {ApiVersion}, RequestTimeout = {RequestTimeout}, MaxRetries = {MaxRetries}, WebhookTolerance = {WebhookTolerance}, SecretKey = ***, WebhookSecret = *** }}");

    private static string Required(IConfiguration configuration, string name) =>
        SettingValues.Text(configuration, name) ?? throw new InvalidOperationException($"{name} is not configured.");
}
