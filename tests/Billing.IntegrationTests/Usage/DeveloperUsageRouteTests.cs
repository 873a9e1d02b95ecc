using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.IntegrationTests.Developer;
using Billing.IntegrationTests.Infrastructure;
using static Billing.IntegrationTests.Usage.UsageTestKit;

namespace Billing.IntegrationTests.Usage;

/// <summary>GET /v1/usage: the key owner's buckets (the internal route's shape), nobody else's, metered, 4xx for bad input.</summary>
public sealed class DeveloperUsageRouteTests(BillingDatabase database) : IClassFixture<BillingDatabase>, IAsyncLifetime
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
    private DeveloperTestHost _host = null!;

    public async Task InitializeAsync() => _host = await DeveloperTestHost.StartAsync(database, withSandbox: false);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_key_sees_its_owners_usage_only_and_the_call_is_metered()
    {
        var owner = _host.AddUser();
        var created = await _host.CreateKeyAsync(owner);
        var keyId = created.GetProperty("id").GetString()!;
        var stranger = _host.AddUser();
        await Writer(database).WriteAsync(
            [
                Event(owner, Noon, keyId: keyId, credits: 5),
                Event(owner, Noon.AddMinutes(10), keyId: keyId, status: 429, credits: 0, rateLimited: true),
                Event(owner, Noon.AddHours(1), keyId: "key_other"),
                Event(stranger, Noon, keyId: "key_stranger", credits: 9),
            ],
            CancellationToken.None);
        using var client = _host.Developer(created.GetProperty("key").GetString());

        var response = await client.GetAsync(new Uri("/v1/usage?from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z&granularity=hour", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(response.Headers.GetValues("RateLimit").SingleOrDefault());
        var buckets = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("buckets").EnumerateArray().ToList();
        Assert.Equal(
            [("2026-11-20T12:00:00Z", keyId, 2L, 1L, 1L, 5L), ("2026-11-20T13:00:00Z", "key_other", 1L, 1L, 0L, 1L)],
            buckets.Select(b => (
                b.GetProperty("start").GetDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
                b.GetProperty("key_id").GetString()!,
                b.GetProperty("requests").GetInt64(),
                b.GetProperty("succeeded").GetInt64(),
                b.GetProperty("rate_limited").GetInt64(),
                b.GetProperty("credits").GetInt64())));

        var byKey = await client.GetFromJsonAsync<JsonElement>(new Uri("/v1/usage?from=2026-11-20&to=2026-11-21&granularity=day&key_id=key_stranger", UriKind.Relative));
        Assert.Empty(byKey.GetProperty("buckets").EnumerateArray());

        var metered = _host.Usage.Events.Where(e => e.KeyId == keyId && e.Route == "/v1/usage").ToList();
        Assert.Equal(2, metered.Count);
        Assert.All(metered, e => Assert.Equal((owner, 200, 0), (e.OwnerUserId, e.HttpStatus, e.Credits)));
    }

    [Fact]
    public async Task Bad_input_is_a_400_naming_the_field_and_no_key_is_a_401()
    {
        var owner = _host.AddUser();
        using var client = _host.Developer(await _host.CreateKeyTextAsync(owner));

        var response = await client.GetAsync(new Uri("/v1/usage?granularity=week", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("granularity", out _), problem.ToString());

        using var anonymous = _host.Developer(null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri("/v1/usage", UriKind.Relative))).StatusCode);
    }
}
