using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Billing.IntegrationTests.Infrastructure;
using Npgsql;

namespace Billing.IntegrationTests.Developer;

public sealed partial class ApiKeyRouteTests(BillingDatabase database) : IClassFixture<BillingDatabase>, IAsyncLifetime
{
    private DeveloperTestHost _host = null!;

    [GeneratedRegex("^tp_(live|test)_[0-9A-Za-z]{36}$")]
    private static partial Regex KeyShape();

    public async Task InitializeAsync() => _host = await DeveloperTestHost.StartAsync(database, extra: new Dictionary<string, string?> { ["KEYS_MAX_PER_USER"] = "3" });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Create_Answers201WithThePlaintextOnce_AndListShowsTheKeyWithoutIt()
    {
        var user = _host.AddUser();
        var response = await _host.Service(user).PostAsJsonAsync("/internal/billing/keys", new { name = "laptop", mode = "test", expires_at = DateTimeOffset.UtcNow.AddDays(1) });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        var key = created.GetProperty("key").GetString()!;
        Assert.Matches(KeyShape(), key);
        Assert.StartsWith("tp_test_", key, StringComparison.Ordinal);
        Assert.StartsWith("key_", created.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("laptop", created.GetProperty("name").GetString());
        Assert.Equal("test", created.GetProperty("mode").GetString());
        Assert.Equal("tp_test_…" + key[^4..], created.GetProperty("display").GetString());
        Assert.Equal(JsonValueKind.String, created.GetProperty("created_at").ValueKind);
        Assert.Equal(JsonValueKind.String, created.GetProperty("expires_at").ValueKind);

        var listText = await _host.Service(user).GetStringAsync("/internal/billing/keys");
        Assert.DoesNotContain(key, listText, StringComparison.Ordinal);
        Assert.DoesNotContain(key[8..38], listText, StringComparison.Ordinal);
        var listed = JsonDocument.Parse(listText).RootElement.GetProperty("keys").EnumerateArray().Single();
        Assert.Equal(created.GetProperty("id").GetString(), listed.GetProperty("id").GetString());
        Assert.Equal("active", listed.GetProperty("status").GetString());
        Assert.Equal("tp_test_…" + key[^4..], listed.GetProperty("display").GetString());
        Assert.False(listed.TryGetProperty("key", out _));
        foreach (var field in new[] { "last_used_at", "revoked_at" })
        {
            Assert.Equal(JsonValueKind.Null, listed.GetProperty(field).ValueKind);
        }
    }

    [Fact]
    public async Task TheDatabase_NeverHoldsAPlaintextKey()
    {
        var user = _host.AddUser();
        var keys = new List<string> { await _host.CreateKeyTextAsync(user), await _host.CreateKeyTextAsync(user, "test") };
        var created = await _host.CreateKeyAsync(user);
        var rolled = await _host.Service(user).PostAsJsonAsync($"/internal/billing/keys/{created.GetProperty("id").GetString()}/roll", new { expire_old_in_seconds = 60 });
        keys.Add(created.GetProperty("key").GetString()!);
        keys.Add((await rolled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!);
        foreach (var key in keys)
        {
            using var call = _host.Developer(key);
            await call.PostAsJsonAsync("/v1/timepoints/generate/sync", new { query = "the signing of Magna Carta" });
            await _host.Service(user).PostAsJsonAsync("/internal/billing/keys/verify", new { key });
        }

        // Every column of every table, as text (bytea as hex, and decoded as text too).
        var dump = new System.Text.StringBuilder();
        await using (var tables = database.DataSource.CreateCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"))
        await using (var reader = await tables.ExecuteReaderAsync())
        {
            var names = new List<string>();
            while (await reader.ReadAsync())
            {
                names.Add(reader.GetString(0));
            }

            foreach (var name in names)
            {
                await using var rows = database.DataSource.CreateCommand($"SELECT row_to_json(t)::text FROM \"{name}\" t");
                await using var rowReader = await rows.ExecuteReaderAsync();
                while (await rowReader.ReadAsync())
                {
                    var json = rowReader.GetString(0);
                    dump.AppendLine(json);
                    foreach (Match hex in HexBytes().Matches(json))
                    {
                        dump.AppendLine(System.Text.Encoding.Latin1.GetString(Convert.FromHexString(hex.Groups[1].Value)));
                    }
                }
            }
        }

        var text = dump.ToString();
        Assert.Contains("api_keys", await Names(), StringComparison.Ordinal);
        Assert.True(await database.ScalarAsync("SELECT count(*) FROM api_keys") >= 5);
        foreach (var key in keys)
        {
            Assert.DoesNotContain(key, text, StringComparison.Ordinal);
            Assert.DoesNotContain(key[8..38], text, StringComparison.Ordinal);
        }

        // And what is there is the SHA-256 of the whole key.
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(keys[0]));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM api_keys WHERE key_hash = $1", hash));

        async Task<string> Names()
        {
            await using var command = database.DataSource.CreateCommand("SELECT string_agg(table_name, ',') FROM information_schema.tables WHERE table_schema = 'public'");
            return (string)(await command.ExecuteScalarAsync())!;
        }
    }

    [GeneratedRegex(@"\\\\x([0-9a-f]{2,})")]
    private static partial Regex HexBytes();

    private async Task<long> CountAsync(string sql, byte[] parameter)
    {
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Revoke_Answers204_AndAnotherUsersOrAnUnknownKeyIs404()
    {
        var owner = _host.AddUser();
        var stranger = _host.AddUser();
        var id = (await _host.CreateKeyAsync(owner)).GetProperty("id").GetString();

        Assert.Equal(HttpStatusCode.NotFound, (await _host.Service(stranger).DeleteAsync($"/internal/billing/keys/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Service(owner).DeleteAsync("/internal/billing/keys/key_doesnotexist0000000000")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Service(owner).DeleteAsync("/internal/billing/keys/not-a-key-id")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await _host.Service(owner).DeleteAsync($"/internal/billing/keys/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await _host.Service(owner).DeleteAsync($"/internal/billing/keys/{id}")).StatusCode);

        var listed = (await _host.Service(owner).GetFromJsonAsync<JsonElement>("/internal/billing/keys")).GetProperty("keys")[0];
        Assert.Equal("revoked", listed.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.String, listed.GetProperty("revoked_at").ValueKind);
        Assert.Empty((await _host.Service(stranger).GetFromJsonAsync<JsonElement>("/internal/billing/keys")).GetProperty("keys").EnumerateArray());
    }

    [Fact]
    public async Task Roll_IssuesANewKey_AndTheOldOneWorksUntilItsGraceEnds()
    {
        var user = _host.AddUser();
        var old = await _host.CreateKeyAsync(user, name: "deploy");
        var oldKey = old.GetProperty("key").GetString()!;
        var response = await _host.Service(user).PostAsJsonAsync($"/internal/billing/keys/{old.GetProperty("id").GetString()}/roll", new { expire_old_in_seconds = 3600 });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var next = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("deploy", next.GetProperty("name").GetString());
        Assert.Equal("live", next.GetProperty("mode").GetString());
        Assert.NotEqual(oldKey, next.GetProperty("key").GetString());

        Assert.Equal("VALID", await VerifyCodeAsync(user, oldKey));
        Assert.Equal("VALID", await VerifyCodeAsync(user, next.GetProperty("key").GetString()!));

        // Rolling the old key again is refused; rolling the new one with 0 ends it (almost) at once.
        Assert.Equal(HttpStatusCode.Conflict, (await _host.Service(user).PostAsJsonAsync($"/internal/billing/keys/{old.GetProperty("id").GetString()}/roll", new { expire_old_in_seconds = 0 })).StatusCode);
        var third = await _host.Service(user).PostAsJsonAsync($"/internal/billing/keys/{next.GetProperty("id").GetString()}/roll", new { expire_old_in_seconds = 0 });
        Assert.Equal(HttpStatusCode.Created, third.StatusCode);
        await Eventually(async () => await VerifyCodeAsync(user, next.GetProperty("key").GetString()!) == "EXPIRED", TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(604_801)]
    public async Task Roll_RefusesAGraceOutOfRange(long seconds)
    {
        var user = _host.AddUser();
        var id = (await _host.CreateKeyAsync(user)).GetProperty("id").GetString();
        var response = await _host.Service(user).PostAsJsonAsync($"/internal/billing/keys/{id}/roll", new { expire_old_in_seconds = seconds });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Create_RefusesABadModeOrName_And400sAreProblemDetails()
    {
        var user = _host.AddUser();
        var badMode = await _host.Service(user).PostAsJsonAsync("/internal/billing/keys", new { name = "x", mode = "prod" });
        Assert.Equal(HttpStatusCode.BadRequest, badMode.StatusCode);
        Assert.Equal("application/problem+json", badMode.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.BadRequest, (await _host.Service(user).PostAsJsonAsync("/internal/billing/keys", new { mode = "live" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _host.Service(user).PostAsJsonAsync("/internal/billing/keys", new { name = "x", mode = "live", expires_at = DateTimeOffset.UtcNow.AddMinutes(-1) })).StatusCode);
        using var noUser = _host.App.CreateClient();
        noUser.DefaultRequestHeaders.Add("X-Service-Key", BillingApiFactory.ServiceKey);
        Assert.Equal(HttpStatusCode.BadRequest, (await noUser.PostAsJsonAsync("/internal/billing/keys", new { name = "x", mode = "live" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _host.App.CreateClient().PostAsJsonAsync("/internal/billing/keys", new { name = "x", mode = "live" })).StatusCode);
    }

    [Fact]
    public async Task AUser_HoldsAtMostTheConfiguredNumberOfActiveKeys()
    {
        var user = _host.AddUser();
        var first = await _host.CreateKeyAsync(user);
        await _host.CreateKeyAsync(user);
        await _host.CreateKeyAsync(user);
        var refused = await _host.Service(user).PostAsJsonAsync("/internal/billing/keys", new { name = "fourth", mode = "live" });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("api_key.limit_reached", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());

        // Rolling takes the old key's place; revoking frees one.
        Assert.Equal(HttpStatusCode.Created, (await _host.Service(user).PostAsJsonAsync($"/internal/billing/keys/{first.GetProperty("id").GetString()}/roll", new { expire_old_in_seconds = 600 })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await _host.Service(user).PostAsJsonAsync("/internal/billing/keys", new { name = "fourth", mode = "live" })).StatusCode);
        await _host.Service(user).DeleteAsync($"/internal/billing/keys/{first.GetProperty("id").GetString()}");
        var keys = (await _host.Service(user).GetFromJsonAsync<JsonElement>("/internal/billing/keys")).GetProperty("keys").EnumerateArray().ToList();
        var active = keys.First(k => k.GetProperty("status").GetString() == "active");
        await _host.Service(user).DeleteAsync($"/internal/billing/keys/{active.GetProperty("id").GetString()}");
        Assert.Equal(HttpStatusCode.Created, (await _host.Service(user).PostAsJsonAsync("/internal/billing/keys", new { name = "fourth", mode = "live" })).StatusCode);
    }

    [Fact]
    public async Task ConcurrentCreates_CannotPassTheLimitTogether()
    {
        var user = _host.AddUser();
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => _host.Service(user).PostAsJsonAsync("/internal/billing/keys", new { name = $"k{i}", mode = "live" })));
        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(5, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
    }

    [Fact]
    public async Task Verify_AnswersEveryCode()
    {
        var user = _host.AddUser();
        var created = await _host.CreateKeyAsync(user, "test");
        var key = created.GetProperty("key").GetString()!;

        var valid = await VerifyAsync(user, key);
        Assert.True(valid.GetProperty("valid").GetBoolean());
        Assert.Equal("VALID", valid.GetProperty("code").GetString());
        Assert.Equal(created.GetProperty("id").GetString(), valid.GetProperty("key_id").GetString());
        Assert.Equal(user, valid.GetProperty("user_id").GetString());
        Assert.Equal("test", valid.GetProperty("mode").GetString());
        Assert.Equal("free", valid.GetProperty("tier").GetString());
        Assert.Equal(10, valid.GetProperty("ratelimit").GetProperty("limit").GetInt32());
        Assert.Equal(9, valid.GetProperty("ratelimit").GetProperty("remaining").GetInt32());
        Assert.True(valid.GetProperty("ratelimit").GetProperty("reset_seconds").GetInt32() > 0);

        Assert.Equal("MALFORMED", await VerifyCodeAsync(user, key[..^1] + (key[^1] == 'a' ? 'b' : 'a')));
        Assert.Equal("MALFORMED", await VerifyCodeAsync(user, "sk_live_whatever"));
        Assert.Equal("NOT_FOUND", await VerifyCodeAsync(user, Billing.Domain.ApiKeys.ApiKeySecret.Generate(Billing.Domain.ApiKeys.ApiKeyMode.Live).Value));

        for (var i = 0; i < 9; i++)
        {
            Assert.Equal("VALID", await VerifyCodeAsync(user, key));
        }

        var limited = await VerifyAsync(user, key);
        Assert.False(limited.GetProperty("valid").GetBoolean());
        Assert.Equal("RATE_LIMITED", limited.GetProperty("code").GetString());
        Assert.Equal(0, limited.GetProperty("ratelimit").GetProperty("remaining").GetInt32());

        // Valid and rate-limited verifies are metered; malformed and unknown ones have no owner to meter.
        Assert.Equal(11, _host.Usage.Events.Count(e => e.KeyId == created.GetProperty("id").GetString() && e.Route == "/internal/billing/keys/verify"));
        Assert.Single(_host.Usage.Events, e => e.KeyId == created.GetProperty("id").GetString() && e.RateLimited);

        await _host.Service(user).DeleteAsync($"/internal/billing/keys/{created.GetProperty("id").GetString()}");
        await Eventually(async () => await VerifyCodeAsync(user, key) == "REVOKED", TimeSpan.FromSeconds(5));
        var revoked = await VerifyAsync(user, key);
        Assert.Equal(JsonValueKind.Null, revoked.GetProperty("key_id").ValueKind);

        var other = await _host.CreateKeyAsync(user);
        await _host.Service(user).PostAsJsonAsync($"/internal/billing/keys/{other.GetProperty("id").GetString()}/roll", new { expire_old_in_seconds = 0 });
        await Eventually(async () => await VerifyCodeAsync(user, other.GetProperty("key").GetString()!) == "EXPIRED", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task LastUsedAt_IsWrittenInABatch()
    {
        var user = _host.AddUser();
        var created = await _host.CreateKeyAsync(user);
        await VerifyCodeAsync(user, created.GetProperty("key").GetString()!);
        var tracker = _host.App.Services.GetService(typeof(Billing.Infrastructure.ApiKeys.ApiKeyUsageTracker)) as Billing.Infrastructure.ApiKeys.ApiKeyUsageTracker;
        Assert.True(await tracker!.FlushAsync(CancellationToken.None) >= 1);
        var listed = (await _host.Service(user).GetFromJsonAsync<JsonElement>("/internal/billing/keys")).GetProperty("keys")[0];
        Assert.Equal(JsonValueKind.String, listed.GetProperty("last_used_at").ValueKind);
    }

    private async Task<JsonElement> VerifyAsync(string user, string key)
    {
        var response = await _host.Service(user).PostAsJsonAsync("/internal/billing/keys/verify", new { key });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<string> VerifyCodeAsync(string user, string key) => (await VerifyAsync(user, key)).GetProperty("code").GetString()!;

    /// <summary>
    /// Polls until <paramref name="condition"/> holds and asserts that the poll which saw it <em>started</em> within
    /// <paramref name="within"/> (a slow answer on a loaded machine does not count against the change being seen).
    /// </summary>
    internal static async Task SeenWithin(Func<Task<bool>> condition, TimeSpan within, TimeSpan? giveUpAfter = null)
    {
        var since = System.Diagnostics.Stopwatch.GetTimestamp();
        var giveUp = giveUpAfter ?? within * 5;
        while (true)
        {
            var pollStarted = System.Diagnostics.Stopwatch.GetElapsedTime(since);
            if (await condition())
            {
                Assert.True(pollStarted < within, $"first seen by a poll started {pollStarted.TotalMilliseconds:0} ms after the change");
                return;
            }

            Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(since) < giveUp, $"not seen within {giveUp.TotalSeconds} s");
            await Task.Delay(10);
        }
    }

    internal static async Task Eventually(Func<Task<bool>> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not true within {within.TotalSeconds} s");
            await Task.Delay(20);
        }
    }
}
