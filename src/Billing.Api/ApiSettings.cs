using Billing.Api.Security;
using Billing.Infrastructure.Configuration;

namespace Billing.Api;

/// <summary>The HTTP edge's settings. Never printed: it holds keys.</summary>
internal sealed record ApiSettings(string ServiceApiKey, string? AdminKey, int MaxRequestBodyBytes, bool MigrateOnStart)
{
    public const string ServiceApiKeyVariable = "SERVICE_API_KEY";
    public const string AdminKeyVariable = "BILLING_ADMIN_KEY";
    public const string MaxRequestBodyBytesVariable = "MAX_REQUEST_BODY_BYTES";
    public const string MigrateOnStartVariable = "MIGRATE_ON_START";

    /// <exception cref="InvalidOperationException">SERVICE_API_KEY is missing, or a value is malformed (the message names it).</exception>
    public static ApiSettings FromConfiguration(IConfiguration configuration) => new(
        SettingValues.Text(configuration, ServiceApiKeyVariable)
            ?? throw new InvalidOperationException($"{ServiceApiKeyVariable} is not set; internal routes cannot be protected."),
        SettingValues.Text(configuration, AdminKeyVariable),
        ReadMaxRequestBodyBytes(configuration),
        SettingValues.Bool(configuration, MigrateOnStartVariable, defaultValue: true));

    /// <summary>Read on its own too: Kestrel's limit is set before the container exists.</summary>
    public static int ReadMaxRequestBodyBytes(IConfiguration configuration) =>
        SettingValues.Int(configuration, MaxRequestBodyBytesVariable, RequestBodyLimitMiddleware.DefaultLimit, min: 1024, max: 64 * 1024 * 1024);

    public override string ToString() => $"ApiSettings {{ MaxRequestBodyBytes = {MaxRequestBodyBytes}, MigrateOnStart = {MigrateOnStart}, AdminKeySet = {AdminKey is not null} }}";
}
