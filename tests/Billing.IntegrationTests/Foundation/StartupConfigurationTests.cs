using Billing.IntegrationTests.Infrastructure;

namespace Billing.IntegrationTests.Foundation;

/// <summary>Bad configuration stops the service at start-up, naming the variable; nothing is clamped into range silently.</summary>
public sealed class StartupConfigurationTests(BillingDatabase database) : IClassFixture<BillingDatabase>
{
    public static TheoryData<string, string> BadValues() => new()
    {
        { "GRANT_CONCURRENCY", "100000" },
        { "GRANT_LEASE_SECONDS", "0" },
        { "GRANT_GIVE_UP_AFTER", "soon" },
        { "INBOX_RETRY_DAYS", "0" },
        { "INBOX_CONCURRENCY", "0" },
        { "INBOX_POLL_INTERVAL_MS", "soon" },
        { "MAX_REQUEST_BODY_BYTES", "-1" },
        { "FLASH_TIMEOUT_SECONDS", "-5" },
        { "APPLE_ALLOW_SANDBOX", "maybe" },
        { "STRIPE_API_BASE", "not a url" },
        { "STRIPE_TIMEOUT_SECONDS", "0" },
        { "BACKGROUND_WORKERS", "sometimes" },
        { "LOG_LEVEL", "loud" },
        { "OTEL_EXPORTER_OTLP_ENDPOINT", "not a url" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void ABadValue_FailsStartUp_NamingTheVariable(string variable, string value)
    {
        using var factory = new BillingApiFactory(database.ConnectionString, new Dictionary<string, string?> { [variable] = value, ["BACKGROUND_WORKERS"] = variable == "BACKGROUND_WORKERS" ? value : "false" });

        var failure = Record.Exception(() => factory.Server);

        Assert.NotNull(failure);
        Assert.Contains(variable, Flatten(failure), StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutTheServiceKey_TheServiceDoesNotStart()
    {
        using var factory = new BillingApiFactory(database.ConnectionString, new Dictionary<string, string?> { ["SERVICE_API_KEY"] = "" });

        var failure = Record.Exception(() => factory.Server);

        Assert.NotNull(failure);
        Assert.Contains("SERVICE_API_KEY", Flatten(failure), StringComparison.Ordinal);
    }

    private static string Flatten(Exception exception) =>
        exception is AggregateException aggregate
            ? string.Join(" | ", aggregate.Flatten().InnerExceptions.Select(Flatten))
            : exception.Message + (exception.InnerException is { } inner ? " | " + Flatten(inner) : string.Empty);
}
