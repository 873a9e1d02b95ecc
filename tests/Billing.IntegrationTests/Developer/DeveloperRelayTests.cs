using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Billing.IntegrationTests.Infrastructure;
using Billing.TestFakes.Flash;

namespace Billing.IntegrationTests.Developer;

public sealed class DeveloperRelayTests(BillingDatabase database) : IClassFixture<BillingDatabase>, IAsyncLifetime
{
    private const string Sync = "/v1/timepoints/generate/sync";
    private const string Stream = "/v1/timepoints/generate/stream";
    private DeveloperTestHost _host = null!;

    public async Task InitializeAsync() => _host = await DeveloperTestHost.StartAsync(database);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task LiveKey_RelaysToTheLiveFlashAsTheOwner_WithRateLimitHeaders_AndIsMetered()
    {
        var user = _host.AddUser(liveBalance: 100, sandboxBalance: 100);
        var created = await _host.CreateKeyAsync(user);
        using var client = _host.Developer(created.GetProperty("key").GetString());

        var response = await client.PostAsJsonAsync(Sync, new { query = "the fall of the Berlin Wall", preset = "hd" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("completed", body.GetProperty("status").GetString());
        Assert.Equal(90, _host.Live.BalanceOf(user)); // hd costs 10, charged to the key's owner
        Assert.Equal(100, _host.Sandbox!.BalanceOf(user));
        Assert.Equal(0, _host.Sandbox.RequestCount(FlashFake.GenerateSyncPath));

        Assert.Equal("\"minute\";q=10;w=60", Header(response, "RateLimit-Policy"));
        Assert.Equal("\"minute\";r=9;t=6", Header(response, "RateLimit"));

        var usage = Assert.Single(_host.Usage.Events, e => e.KeyId == created.GetProperty("id").GetString());
        Assert.Equal((user, Sync, 200, 10, false), (usage.OwnerUserId, usage.Route, usage.HttpStatus, usage.Credits, usage.RateLimited));
        Assert.True(usage.BytesOut > 0);
    }

    [Fact]
    public async Task TestKey_RelaysToTheSandboxOnly()
    {
        var user = _host.AddUser(liveBalance: 100, sandboxBalance: 40);
        using var client = _host.Developer(await _host.CreateKeyTextAsync(user, "test"));

        var response = await client.PostAsJsonAsync(Sync, new { query = "the first moon landing" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(35, _host.Sandbox!.BalanceOf(user));
        Assert.Equal(100, _host.Live.BalanceOf(user));
        Assert.Equal(0, _host.Live.RequestCount(FlashFake.GenerateSyncPath));

        var balance = await client.GetFromJsonAsync<JsonElement>("/v1/credits/balance");
        Assert.Equal(35, balance.GetProperty("balance").GetInt32());
        Assert.Equal("test", balance.GetProperty("mode").GetString());
    }

    [Fact]
    public async Task Balance_ForALiveKey_IsTheLiveBalance_WithHeaders()
    {
        var user = _host.AddUser(liveBalance: 77);
        using var client = _host.Developer(await _host.CreateKeyTextAsync(user));
        var response = await client.GetAsync(new Uri("/v1/credits/balance", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(77, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("balance").GetInt32());
        Assert.NotNull(Header(response, "RateLimit"));
    }

    [Fact]
    public async Task Stream_IsRelayedChunkByChunk_WithTheHeadersOnTheFirstBytes()
    {
        var user = _host.AddUser();
        using var client = _host.Developer(await _host.CreateKeyTextAsync(user));
        using var request = new HttpRequestMessage(HttpMethod.Post, Stream) { Content = JsonContent.Create(new { query = "the coronation of Charlemagne" }) };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("\"minute\";q=10;w=60, \"streams\";q=1;qu=\"concurrent-requests\"", Header(response, "RateLimit-Policy"));
        Assert.StartsWith("\"minute\";r=9;", Header(response, "RateLimit"), StringComparison.Ordinal);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var first = await reader.ReadLineAsync();
        Assert.StartsWith("data: {\"event\":\"start\"", first, StringComparison.Ordinal);
        Assert.Equal(0, _host.Live.StreamsCompleted);

        // Free tier: one stream at a time.
        var second = await client.PostAsJsonAsync(Stream, new { query = "a second stream at once" });
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal("rate_limit.exceeded", await CodeOf(second));
        Assert.NotNull(second.Headers.RetryAfter);

        var rest = await reader.ReadToEndAsync();
        Assert.Contains("\"event\":\"done\"", rest, StringComparison.Ordinal);

        // The slot is back once the first stream ended.
        await ApiKeyRouteTests.Eventually(async () =>
        {
            var again = await client.PostAsJsonAsync(Stream, new { query = "the third stream" });
            return again.StatusCode == HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(5));
        await ApiKeyRouteTests.Eventually(() => Task.FromResult(_host.Usage.Events.Count(e => e.Route == Stream && e.HttpStatus == 200) >= 2), TimeSpan.FromSeconds(5));
        Assert.All(_host.Usage.Events.Where(e => e.Route == Stream && e.HttpStatus == 200), e => Assert.Equal(5, e.Credits));
    }

    [Fact]
    public async Task MissingOrUnparsableAuthorization_Is401KeyMissing()
    {
        Assert.Equal("key.missing", await CodeOf(await _host.Developer(null).PostAsJsonAsync(Sync, new { query = "abc" }), HttpStatusCode.Unauthorized));
        using var basic = _host.App.CreateClient();
        basic.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Basic Zm9vOmJhcg==");
        var response = await basic.GetAsync(new Uri("/v1/credits/balance", UriKind.Relative));
        Assert.Equal("key.missing", await CodeOf(response, HttpStatusCode.Unauthorized));
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
        using var empty = _host.App.CreateClient();
        empty.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer ");
        Assert.Equal("key.missing", await CodeOf(await empty.PostAsJsonAsync(Stream, new { query = "abc" }), HttpStatusCode.Unauthorized));
    }

    [Theory]
    [InlineData("sk_live_0123456789")]
    [InlineData("tp_live_short")]
    [InlineData("tp_prod_012345678901234567890123456789ABCDEF")]
    public async Task AWrongPrefixOrLength_Is401KeyMalformed(string key) =>
        Assert.Equal("key.malformed", await CodeOf(await _host.Developer(key).PostAsJsonAsync(Sync, new { query = "abc" }), HttpStatusCode.Unauthorized));

    [Fact]
    public async Task ABadChecksum_Is401KeyMalformed_WithoutTouchingTheDatabase()
    {
        var user = _host.AddUser();
        var key = await _host.CreateKeyTextAsync(user);
        var typo = key[..10] + (key[10] == 'x' ? 'y' : 'x') + key[11..];
        Assert.Equal("key.malformed", await CodeOf(await _host.Developer(typo).PostAsJsonAsync(Sync, new { query = "abc" }), HttpStatusCode.Unauthorized));
    }

    [Fact]
    public async Task UnknownRevokedAndExpiredKeys_AllGetTheSame401KeyInvalid()
    {
        var user = _host.AddUser();
        var unknown = Billing.Domain.ApiKeys.ApiKeySecret.Generate(Billing.Domain.ApiKeys.ApiKeyMode.Live).Value;
        var revoked = await _host.CreateKeyAsync(user);
        await _host.Service(user).DeleteAsync($"/internal/billing/keys/{revoked.GetProperty("id").GetString()}");
        var expired = await _host.CreateKeyAsync(user);
        await _host.Service(user).PostAsJsonAsync($"/internal/billing/keys/{expired.GetProperty("id").GetString()}/roll", new { expire_old_in_seconds = 0 });

        var bodies = new List<string>();
        foreach (var key in new[] { unknown, revoked.GetProperty("key").GetString()!, expired.GetProperty("key").GetString()! })
        {
            var response = await _host.Developer(key).PostAsJsonAsync(Sync, new { query = "abc" });
            Assert.Equal("key.invalid", await CodeOf(response, HttpStatusCode.Unauthorized));
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            bodies.Add(problem.GetProperty("title").GetString() + "|" + problem.GetProperty("detail").GetString());
            Assert.Null(Header(response, "RateLimit"));
        }

        Assert.Single(bodies.Distinct());
        Assert.Equal(0, _host.Live.RequestCount(FlashFake.GenerateSyncPath));
    }

    [Fact]
    public async Task FlashsInsufficientCredits_Is402CreditsInsufficient_WithTheRateLimitHeaders()
    {
        var user = _host.AddUser(liveBalance: 0);
        var response = await _host.Developer(await _host.CreateKeyTextAsync(user)).PostAsJsonAsync(Sync, new { query = "a poor user's scene" });
        Assert.Equal("credits.insufficient", await CodeOf(response, HttpStatusCode.PaymentRequired));
        Assert.NotNull(Header(response, "RateLimit"));
        Assert.NotNull(Header(response, "RateLimit-Policy"));
    }

    [Fact]
    public async Task FlashUnreachable_Is503_WithHeaders()
    {
        var user = _host.AddUser();
        using var client = _host.Developer(await _host.CreateKeyTextAsync(user));
        await _host.Live.StopListeningAsync();
        try
        {
            var response = await client.PostAsJsonAsync(Sync, new { query = "nobody home" });
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.NotNull(Header(response, "RateLimit"));
            var stream = await client.PostAsJsonAsync(Stream, new { query = "nobody home" });
            Assert.Equal(HttpStatusCode.ServiceUnavailable, stream.StatusCode);
            Assert.Equal("application/problem+json", stream.Content.Headers.ContentType?.MediaType);
        }
        finally
        {
            await _host.Live.StartListeningAsync();
        }
    }

    [Fact]
    public async Task ClientMistakes_Are4xx_NeverA500()
    {
        var user = _host.AddUser();
        using var client = _host.Developer(await _host.CreateKeyTextAsync(user));
        using var broken = new StringContent("{\"query\": \"unterminated", Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync(new Uri(Sync, UriKind.Relative), broken)).StatusCode);
        using var array = new StringContent("[1,2]", Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync(new Uri(Stream, UriKind.Relative), array)).StatusCode);
        using var empty = new StringContent("", Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync(new Uri(Sync, UriKind.Relative), empty)).StatusCode);
        // Flash's own validation (query too short) passes through as a 4xx.
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await client.PostAsJsonAsync(Sync, new { query = "a" })).StatusCode);
        using var badIdempotency = new HttpRequestMessage(HttpMethod.Post, Sync) { Content = JsonContent.Create(new { query = "abc" }) };
        badIdempotency.Headers.TryAddWithoutValidation("Idempotency-Key", new string('k', 256));
        Assert.Equal(HttpStatusCode.BadRequest, (await client.SendAsync(badIdempotency)).StatusCode);
    }

    [Fact]
    public async Task IdempotentRetry_ReplaysTheFirstAnswer_WithoutCallingFlashAgain()
    {
        var user = _host.AddUser(liveBalance: 100);
        var key = await _host.CreateKeyTextAsync(user);
        var idempotencyKey = Guid.NewGuid().ToString();

        var first = await SendSync(key, idempotencyKey, new { query = "the opening of the Suez Canal" });
        var firstBody = await first.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var second = await SendSync(key, idempotencyKey, new { query = "the opening of the Suez Canal" });
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(firstBody, await second.Content.ReadAsStringAsync());
        Assert.Equal("true", Header(second, "Idempotent-Replayed"));
        Assert.Equal(1, _host.Live.RequestCount(FlashFake.GenerateSyncPath));
        Assert.Equal(95, _host.Live.BalanceOf(user));

        var different = await SendSync(key, idempotencyKey, new { query = "something else entirely" });
        Assert.Equal("idempotency.mismatch", await CodeOf(different, (HttpStatusCode)422));

        // Another key of the same owner shares the record (a rolled key retrying is still the same client).
        var otherKey = await _host.CreateKeyTextAsync(user);
        Assert.Equal(firstBody, await (await SendSync(otherKey, idempotencyKey, new { query = "the opening of the Suez Canal" })).Content.ReadAsStringAsync());
        Assert.Equal(1, _host.Live.RequestCount(FlashFake.GenerateSyncPath));
    }

    [Fact]
    public async Task IdempotentRetry_OfAFlashRefusal_ReplaysTheRefusal()
    {
        var user = _host.AddUser(liveBalance: 0);
        var key = await _host.CreateKeyTextAsync(user);
        var idempotencyKey = Guid.NewGuid().ToString();
        var first = await SendSync(key, idempotencyKey, new { query = "no money" });
        var second = await SendSync(key, idempotencyKey, new { query = "no money" });
        Assert.Equal(HttpStatusCode.PaymentRequired, second.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Equal(1, _host.Live.RequestCount(FlashFake.GenerateSyncPath));
    }

    [Fact]
    public async Task IdempotentRetry_AfterFlashWasUnreachable_RunsAgain()
    {
        var user = _host.AddUser(liveBalance: 100);
        var key = await _host.CreateKeyTextAsync(user);
        var idempotencyKey = Guid.NewGuid().ToString();
        await _host.Live.StopListeningAsync();
        try
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await SendSync(key, idempotencyKey, new { query = "retry me" })).StatusCode);
        }
        finally
        {
            await _host.Live.StartListeningAsync();
        }

        await ApiKeyRouteTests.Eventually(async () => (await SendSync(key, idempotencyKey, new { query = "retry me" })).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(10));
        Assert.Equal(95, _host.Live.BalanceOf(user));
    }

    [Fact]
    public async Task ARepeatWhileTheFirstIsRunning_Is409()
    {
        var user = _host.AddUser(liveBalance: 100);
        var key = await _host.CreateKeyTextAsync(user);
        var idempotencyKey = Guid.NewGuid().ToString();
        _host.Live.Faults.Delay = TimeSpan.FromSeconds(2);
        var first = SendSync(key, idempotencyKey, new { query = "a slow scene" });
        try
        {
            await ApiKeyRouteTests.Eventually(() => Task.FromResult(_host.Live.RequestCount(FlashFake.GenerateSyncPath) == 1), TimeSpan.FromSeconds(10));
            var repeat = await SendSync(key, idempotencyKey, new { query = "a slow scene" });
            Assert.Equal("idempotency.in_progress", await CodeOf(repeat, HttpStatusCode.Conflict));
        }
        finally
        {
            _host.Live.Faults.Delay = TimeSpan.Zero;
        }

        Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendSync(key, idempotencyKey, new { query = "a slow scene" })).StatusCode);
        Assert.Equal(1, _host.Live.RequestCount(FlashFake.GenerateSyncPath));
    }

    [Fact]
    public async Task IdempotencyRecords_SurviveARestart_AndAreSharedByInstances()
    {
        var user = _host.AddUser(liveBalance: 100);
        var key = await _host.CreateKeyTextAsync(user);
        var idempotencyKey = Guid.NewGuid().ToString();
        var first = await (await SendSync(key, idempotencyKey, new { query = "the first flight" })).Content.ReadAsStringAsync();

        var other = await _host.StartInstanceAsync();
        using var client = _host.Developer(key, other);
        using var request = new HttpRequestMessage(HttpMethod.Post, Sync) { Content = JsonContent.Create(new { query = "the first flight" }) };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        var replay = await client.SendAsync(request);
        Assert.Equal(first, await replay.Content.ReadAsStringAsync());
        Assert.Equal(1, _host.Live.RequestCount(FlashFake.GenerateSyncPath));
    }

    [Fact]
    public async Task OnAStream_ARepeatedIdempotencyKey_Is409()
    {
        var user = _host.AddUser();
        var key = await _host.CreateKeyTextAsync(user);
        var idempotencyKey = Guid.NewGuid().ToString();
        using var client = _host.Developer(key);
        var first = await SendWithKey(client, Stream, idempotencyKey, new { query = "a streamed scene" });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        await first.Content.ReadAsStringAsync();
        var second = await SendWithKey(client, Stream, idempotencyKey, new { query = "a streamed scene" });
        Assert.Equal("idempotency.stream_repeat", await CodeOf(second, HttpStatusCode.Conflict));
        Assert.Equal(1, _host.Live.RequestCount(FlashFake.GenerateStreamPath));
    }

    [Fact]
    public async Task AStreamRefusedForConcurrency_DoesNotUseUpItsIdempotencyKey()
    {
        var user = _host.AddUser();
        var key = await _host.CreateKeyTextAsync(user);
        using var client = _host.Developer(key);
        using var first = new HttpRequestMessage(HttpMethod.Post, Stream) { Content = JsonContent.Create(new { query = "the first stream" }) };
        using var running = await client.SendAsync(first, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, running.StatusCode);

        var idempotencyKey = Guid.NewGuid().ToString();
        Assert.Equal(HttpStatusCode.TooManyRequests, (await SendWithKey(client, Stream, idempotencyKey, new { query = "waits its turn" })).StatusCode);
        await running.Content.ReadAsStringAsync();

        await ApiKeyRouteTests.Eventually(
            async () => (await SendWithKey(client, Stream, idempotencyKey, new { query = "waits its turn" })).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task ABurstOfTwiceTheLimit_AdmitsTheLimit_AndRefusesTheRestWithRetryAfter()
    {
        var user = _host.AddUser(liveBalance: 1000);
        var key = await _host.CreateKeyTextAsync(user);
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _host.Developer(key).GetAsync(new Uri("/v1/credits/balance", UriKind.Relative))));

        Assert.Equal(10, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(10, refused.Count);
        foreach (var response in refused)
        {
            Assert.Equal("rate_limit.exceeded", await CodeOf(response));
            Assert.True(response.Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 });
            Assert.StartsWith("\"minute\";r=0;", Header(response, "RateLimit"), StringComparison.Ordinal);
        }

        Assert.Equal(10, _host.Usage.Events.Count(e => e.OwnerUserId == user && e.RateLimited));
    }

    [Fact]
    public async Task TestKey_WithoutASandbox_Is403TestModeUnavailable()
    {
        await using var host = await DeveloperTestHost.StartAsync(database, withSandbox: false);
        var user = host.AddUser();
        var response = await host.Developer(await host.CreateKeyTextAsync(user, "test")).PostAsJsonAsync(Sync, new { query = "sandboxed" });
        Assert.Equal("key.test_mode_unavailable", await CodeOf(response, HttpStatusCode.Forbidden));
        Assert.Equal(0, host.Live.RequestCount(FlashFake.GenerateSyncPath));
        var live = await host.Developer(await host.CreateKeyTextAsync(user)).PostAsJsonAsync(Sync, new { query = "live is fine" });
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    private async Task<HttpResponseMessage> SendSync(string key, string idempotencyKey, object body)
    {
        using var client = _host.Developer(key);
        return await SendWithKey(client, Sync, idempotencyKey, body);
    }

    private static async Task<HttpResponseMessage> SendWithKey(HttpClient client, string path, string idempotencyKey, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await client.SendAsync(request);
    }

    internal static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : null;

    internal static async Task<string?> CodeOf(HttpResponseMessage response, HttpStatusCode? expected = null)
    {
        if (expected is { } status)
        {
            Assert.Equal(status, response.StatusCode);
        }

        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        await response.Content.LoadIntoBufferAsync();
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return problem.TryGetProperty("code", out var code) ? code.GetString() : null;
    }
}
