using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.IntegrationTests.Infrastructure;

namespace Billing.IntegrationTests.Developer;

/// <summary>A deployment without MAIN_APP_INTERNAL_URL still manages keys; the relay answers 503, never a 500.</summary>
public sealed class UnconfiguredFlashTests(BillingDatabase database) : IClassFixture<BillingDatabase>
{
    [Fact]
    public async Task WithoutALiveFlash_LiveKeysGet503_AndTestKeys403()
    {
        await using var factory = new BillingApiFactory(database.ConnectionString, new Dictionary<string, string?> { ["BACKGROUND_WORKERS"] = "false" });
        foreach (var (mode, status, code) in new[] { ("live", HttpStatusCode.ServiceUnavailable, "flash.not_configured"), ("test", HttpStatusCode.Forbidden, "key.test_mode_unavailable") })
        {
            var created = await factory.CreateServiceClient("user-without-flash").PostAsJsonAsync("/internal/billing/keys", new { name = "k", mode });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            using var client = factory.CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString());
            var response = await client.PostAsJsonAsync("/v1/timepoints/generate/sync", new { query = "nowhere to go" });
            Assert.Equal(code, await DeveloperRelayTests.CodeOf(response, status));
        }
    }
}
