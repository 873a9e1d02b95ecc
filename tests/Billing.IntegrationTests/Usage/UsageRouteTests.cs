using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.IntegrationTests.Infrastructure;
using static Billing.IntegrationTests.Usage.UsageTestKit;

namespace Billing.IntegrationTests.Usage;

/// <summary>GET /internal/billing/usage: bucket edges, filters, the user's own rows only, and 4xx for bad input.</summary>
public sealed class UsageRouteTests : IClassFixture<BillingDatabase>, IDisposable
{
    private static readonly DateTimeOffset Midnight = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly BillingDatabase _database;
    private readonly BillingApiFactory _factory;

    public UsageRouteTests(BillingDatabase database)
    {
        _database = database;
        _factory = new BillingApiFactory(database.ConnectionString);
    }

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Events_on_either_side_of_midnight_and_of_an_hour_fall_in_their_own_buckets()
    {
        var owner = await SeedAsync();

        var days = await GetAsync(owner, "from=2026-11-30T00:00:00Z&to=2026-12-02T00:00:00Z&granularity=day");
        Assert.Equal(
            [("2026-11-30T00:00:00+00:00", "key_a", 1L), ("2026-12-01T00:00:00+00:00", "key_a", 3L), ("2026-12-01T00:00:00+00:00", "key_b", 1L)],
            days.Select(b => (b.Start, b.KeyId, b.Requests)));

        var hours = await GetAsync(owner, "from=2026-11-30T23:00:00Z&to=2026-12-01T02:00:00Z&granularity=hour");
        Assert.Equal(
            [("2026-11-30T23:00:00+00:00", "key_a", 1L), ("2026-12-01T00:00:00+00:00", "key_a", 2L), ("2026-12-01T01:00:00+00:00", "key_a", 1L), ("2026-12-01T01:00:00+00:00", "key_b", 1L)],
            hours.Select(b => (b.Start, b.KeyId, b.Requests)));

        // The counters of the 00:00 hour: one success with 3 credits, one rate-limited call.
        var midnightHour = hours[1];
        Assert.Equal((1L, 0L, 1L, 3L), (midnightHour.Succeeded, midnightHour.Failed, midnightHour.RateLimited, midnightHour.Credits));
        var oneOClock = hours[2];
        Assert.Equal((0L, 1L, 0L, 0L), (oneOClock.Succeeded, oneOClock.Failed, oneOClock.RateLimited, oneOClock.Credits));
    }

    [Fact]
    public async Task A_range_inside_buckets_is_widened_to_whole_buckets_and_to_is_exclusive()
    {
        var owner = await SeedAsync();

        // 00:30 to 00:45 widens to the whole 00:00 hour.
        var widened = await GetAsync(owner, "from=2026-12-01T00:30:00Z&to=2026-12-01T00:45:00Z&granularity=hour");
        Assert.Equal(2, Assert.Single(widened).Requests);

        // A bucket-aligned `to` excludes that bucket: midnight itself belongs to the next day.
        var beforeMidnight = await GetAsync(owner, "from=2026-11-30&to=2026-12-01&granularity=day");
        Assert.Equal(("2026-11-30T00:00:00+00:00", 1L), (Assert.Single(beforeMidnight).Start, beforeMidnight[0].Requests));
    }

    [Fact]
    public async Task Key_id_narrows_to_one_key_and_nobody_sees_another_users_usage()
    {
        var owner = await SeedAsync();

        var keyB = await GetAsync(owner, "from=2026-11-30&to=2026-12-02&key_id=key_b");
        Assert.Equal(("key_b", 1L), (Assert.Single(keyB).KeyId, keyB[0].Requests));

        Assert.Empty(await GetAsync(Owner(), "from=2026-11-30&to=2026-12-02"));
        Assert.Empty(await GetAsync(Owner(), "from=2026-11-30&to=2026-12-02&key_id=key_a"));
    }

    [Fact]
    public async Task Without_a_range_the_default_is_the_last_30_days_by_day()
    {
        var owner = Owner();
        await Writer(_database).WriteAsync([Event(owner, DateTimeOffset.UtcNow.AddMinutes(-1)), Event(owner, DateTimeOffset.UtcNow.AddDays(-40))], CancellationToken.None);

        var buckets = await GetAsync(owner, "");

        Assert.Equal(1, Assert.Single(buckets).Requests);
    }

    [Theory]
    [InlineData("granularity=week", "granularity")]
    [InlineData("from=yesterday", "from")]
    [InlineData("to=2026-13-01", "to")]
    [InlineData("from=2026-12-02&to=2026-12-01", "to")]
    [InlineData("from=2026-12-01T10:00:00Z&to=2026-12-01T10:00:00Z&granularity=hour", "to")]
    [InlineData("from=2026-10-01&to=2026-12-01&granularity=hour", "to")]
    [InlineData("from=2024-01-01&to=2026-12-01&granularity=day", "to")]
    [InlineData("key_id=key%27%3B--", "key_id")]
    public async Task Bad_input_is_a_400_naming_the_field(string query, string field)
    {
        var response = await _factory.CreateServiceClient(Owner()).GetAsync(new Uri("/internal/billing/usage?" + query, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(body.GetProperty("errors").TryGetProperty(field, out _), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_route_needs_the_service_key_and_a_user()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await _factory.CreateClient().GetAsync(new Uri("/internal/billing/usage", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _factory.CreateServiceClient().GetAsync(new Uri("/internal/billing/usage", UriKind.Relative))).StatusCode);
    }

    /// <summary>key_a: 23:59:59.999 (Nov 30), 00:00:00 (ok, 3 credits), 00:59:59 (rate limited), 01:00:00 (402); key_b: 01:30.</summary>
    private async Task<string> SeedAsync()
    {
        var owner = Owner();
        await Writer(_database).WriteAsync(
            [
                Event(owner, Midnight.AddMilliseconds(-1)),
                Event(owner, Midnight, credits: 3),
                Event(owner, Midnight.AddHours(1).AddSeconds(-1), status: 429, credits: 0, rateLimited: true),
                Event(owner, Midnight.AddHours(1), status: 402, credits: 0),
                Event(owner, Midnight.AddMinutes(90), keyId: "key_b"),
                Event(Owner(), Midnight.AddMinutes(5)),
            ],
            CancellationToken.None);
        return owner;
    }

    private async Task<List<Bucket>> GetAsync(string owner, string query)
    {
        var response = await _factory.CreateServiceClient(owner).GetAsync(new Uri("/internal/billing/usage?" + query, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return [.. body.GetProperty("buckets").EnumerateArray().Select(b => new Bucket(
            b.GetProperty("start").GetDateTimeOffset().ToString("yyyy-MM-dd'T'HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture),
            b.GetProperty("key_id").GetString()!,
            b.GetProperty("requests").GetInt64(),
            b.GetProperty("succeeded").GetInt64(),
            b.GetProperty("failed").GetInt64(),
            b.GetProperty("rate_limited").GetInt64(),
            b.GetProperty("credits").GetInt64()))];
    }

    private sealed record Bucket(string Start, string KeyId, long Requests, long Succeeded, long Failed, long RateLimited, long Credits);
}
