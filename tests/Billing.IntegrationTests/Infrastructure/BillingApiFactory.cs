using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;

namespace Billing.IntegrationTests.Infrastructure;

/// <summary>The real service in-process over a test class's own database, configured through the same variables as production.</summary>
public sealed class BillingApiFactory(string connectionString, IReadOnlyDictionary<string, string?>? settings = null) : WebApplicationFactory<Program>
{
    public const string ServiceKey = "test-service-key-0123456789";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("DATABASE_URL", connectionString);
        builder.UseSetting("SERVICE_API_KEY", ServiceKey);
        builder.UseSetting("LOG_LEVEL", "Warning");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }

        // No provider call may start inside a database transaction: every test through this host checks it.
        builder.ConfigureTestServices(ProviderCallGuard.Install);
    }

    public HttpClient CreateServiceClient(string? userId = null)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Service-Key", ServiceKey);
        if (userId is not null)
        {
            client.DefaultRequestHeaders.Add("X-User-Id", userId);
        }

        return client;
    }
}
