using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Billing.Infrastructure.Apple;

/// <summary>Configuration of the App Store signed-data verifier, read from the APPLE_* environment variables.</summary>
internal sealed class AppleOptions
{
    public const string BundleIdKey = "APPLE_BUNDLE_ID";
    public const string EnvironmentKey = "APPLE_APP_STORE_ENVIRONMENT";
    public const string AllowSandboxKey = "APPLE_ALLOW_SANDBOX";
    public const string AppAppleIdKey = "APPLE_APP_APPLE_ID";
    public const string RootCertificatesKey = "APPLE_ROOT_CERTIFICATES";

    public const string ProductionEnvironment = "Production";
    public const string SandboxEnvironment = "Sandbox";

    public const string DefaultBundleId = "com.timepoint.flash";

    public string BundleId { get; init; } = DefaultBundleId;

    /// <summary>"Production" or "Sandbox". Xcode/LocalTesting data is unsigned and is deliberately not an option.</summary>
    public string Environment { get; init; } = ProductionEnvironment;

    /// <summary>Also accept Sandbox data when <see cref="Environment"/> is Production (App Review tests against Sandbox).</summary>
    public bool AllowSandbox { get; init; }

    /// <summary>Checked on Production notifications when set.</summary>
    public long? AppAppleId { get; init; }

    /// <summary>Extra trust anchors (PEM or DER files) added to the embedded Apple Root CA - G3.</summary>
    public IReadOnlyList<string> RootCertificatePaths { get; init; } = [];

    public static AppleOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        var options = new AppleOptions
        {
            BundleId = NonEmptyOrDefault(configuration[BundleIdKey], DefaultBundleId),
            Environment = ParseEnvironment(configuration[EnvironmentKey]),
            AllowSandbox = ParseBoolean(configuration[AllowSandboxKey], AllowSandboxKey),
            AppAppleId = ParseAppAppleId(configuration[AppAppleIdKey]),
            RootCertificatePaths = SplitPaths(configuration[RootCertificatesKey]),
        };
        options.Validate();
        return options;
    }

    /// <summary>Throws when the options cannot describe a safe verifier.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(BundleId))
        {
            throw new InvalidOperationException($"{BundleIdKey} must not be empty.");
        }

        if (Environment is not (ProductionEnvironment or SandboxEnvironment))
        {
            throw new InvalidOperationException(
                $"{EnvironmentKey} must be '{ProductionEnvironment}' or '{SandboxEnvironment}'.");
        }
    }

    /// <summary>The payload environments this configuration accepts.</summary>
    public bool AcceptsEnvironment(string? environment) =>
        string.Equals(environment, Environment, StringComparison.Ordinal)
        || (AllowSandbox && string.Equals(environment, SandboxEnvironment, StringComparison.Ordinal));

    private static string NonEmptyOrDefault(string? value, string fallback) =>
        string.IsNullOrWhiteSpace(value) ? fallback : value.Trim();

    private static string ParseEnvironment(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return ProductionEnvironment;
        }

        // Accept any casing from an env var, but compare payloads against Apple's exact spelling.
        var trimmed = value.Trim();
        if (string.Equals(trimmed, ProductionEnvironment, StringComparison.OrdinalIgnoreCase))
        {
            return ProductionEnvironment;
        }

        if (string.Equals(trimmed, SandboxEnvironment, StringComparison.OrdinalIgnoreCase))
        {
            return SandboxEnvironment;
        }

        throw new InvalidOperationException(
            $"{EnvironmentKey} must be '{ProductionEnvironment}' or '{SandboxEnvironment}' (Xcode/LocalTesting data is unsigned and never accepted).");
    }

    private static bool ParseBoolean(string? value, string key)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        return bool.TryParse(value.Trim(), out var parsed)
            ? parsed
            : throw new InvalidOperationException($"{key} must be 'true' or 'false'.");
    }

    private static long? ParseAppAppleId(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return long.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
            ? parsed
            : throw new InvalidOperationException($"{AppAppleIdKey} must be a positive integer.");
    }

    private static string[] SplitPaths(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return [];
        }

        char[] separators = [',', ';', Path.PathSeparator];
        return value.Split(separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
