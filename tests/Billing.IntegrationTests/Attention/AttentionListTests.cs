using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.IntegrationTests.Infrastructure;

namespace Billing.IntegrationTests.Attention;

/// <summary><c>GET /internal/billing/admin/attention</c> over HTTP on real PostgreSQL: what is listed, in which order, page by page.</summary>
public sealed class AttentionListTests(BillingDatabase database) : IClassFixture<BillingDatabase>, IDisposable
{
    private const string AdminKey = "operator-key-for-attention-tests";

    private readonly BillingApiFactory _factory = new(database.ConnectionString, new Dictionary<string, string?>
    {
        ["BILLING_ADMIN_KEY"] = AdminKey,
        ["BACKGROUND_WORKERS"] = "false",
    });

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task ListsEverythingThatNeedsAPerson_NewestFirst_WithReasonsAndRoutes_AndPagesWithoutRepeatsOrGaps()
    {
        var t = DateTimeOffset.UtcNow.AddHours(-1);
        var user = Guid.NewGuid().ToString();
        // Grants: three at the very same instant (one save writes them so), one of each attention status, plus ones that need nobody.
        await GrantAsync("test:grant:dead-1", user, 10, "dead", t.AddMinutes(1), "Flash refused it: 404");
        await GrantAsync("test:grant:doubt-1", user, 20, "in_doubt", t.AddMinutes(2), "held for an operator");
        await GrantAsync("test:grant:debt-1", user, -30, "owed_debt", t.AddMinutes(2), "declined", debtCollected: 5);
        await GrantAsync("test:grant:dead-2", user, 40, "dead", t.AddMinutes(2), "out of attempts");
        await GrantAsync("test:grant:fine-1", user, 50, "delivered", t.AddMinutes(3), null);
        await GrantAsync("test:grant:fine-2", user, 60, "pending", t.AddMinutes(3), null);
        await GrantAsync("test:grant:void-1", user, -70, "voided", t.AddMinutes(3), "reversed");
        // Inbox: failed and stale are listed; fresh received and processed are not.
        var failed = await InboxAsync("evt_failed", "failed", t.AddMinutes(4), "boom");
        var stale = await InboxAsync("evt_stale", "received", t.AddMinutes(2), "retrying");
        await InboxAsync("evt_fresh", "received", DateTimeOffset.UtcNow.AddMinutes(-1), null);
        await InboxAsync("evt_done", "processed", t.AddMinutes(5), null);
        // Attention items.
        await ItemAsync("sandbox_not_granted", "apple:transaction:1", user, "a Sandbox transaction in a Production service", t.AddMinutes(6));
        await ItemAsync("unattributable_apple_transaction", "apple:transaction:2", null, "no user", t.AddMinutes(2));

        var client = Operator();
        var all = new List<JsonElement>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await client.GetFromJsonAsync<JsonElement>($"/internal/billing/admin/attention?limit=2{(cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))}");
            var items = page.GetProperty("items").EnumerateArray().ToList();
            Assert.InRange(items.Count, 1, 2);
            all.AddRange(items);
            cursor = page.GetProperty("next_cursor").GetString();
            pages++;
        }
        while (cursor is not null && pages < 50);

        var ids = all.Select(e => $"{e.GetProperty("source").GetString()}/{e.GetProperty("id").GetString()}").ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(8, all.Count); // 4 grants, 2 inbox events, 2 items
        Assert.Equal(4, pages);
        var times = all.Select(e => e.GetProperty("at").GetDateTimeOffset()).ToList();
        Assert.Equal(times.OrderByDescending(x => x), times);
        Assert.Equal("sandbox_not_granted", all[0].GetProperty("kind").GetString());
        Assert.Equal($"inbox/{failed}", ids[1]);
        Assert.DoesNotContain(ids, id => id.Contains("fine-", StringComparison.Ordinal) || id.Contains("void-", StringComparison.Ordinal));

        var debt = Assert.Single(all, e => e.GetProperty("id").GetString() == "test:grant:debt-1");
        Assert.Equal("grant_owed_debt", debt.GetProperty("kind").GetString());
        Assert.StartsWith("25 credits still owed", debt.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var doubt = Assert.Single(all, e => e.GetProperty("id").GetString() == "test:grant:doubt-1");
        Assert.Equal(
            ["/internal/billing/admin/grants/test%3Agrant%3Adoubt-1/confirm", "/internal/billing/admin/grants/test%3Agrant%3Adoubt-1/requeue"],
            doubt.GetProperty("routes").EnumerateArray().Select(r => r.GetProperty("path").GetString() ?? "").ToList());
        var staleEntry = Assert.Single(all, e => e.GetProperty("id").GetString() == stale.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("inbox_stale", staleEntry.GetProperty("kind").GetString());
        Assert.Equal($"/internal/billing/admin/inbox/{stale}/requeue", staleEntry.GetProperty("routes")[0].GetProperty("path").GetString());
        Assert.Equal("stripe:evt_stale", staleEntry.GetProperty("subject").GetString());
        Assert.Contains(all, e => e.GetProperty("kind").GetString() == "unattributable_apple_transaction"
            && e.GetProperty("routes")[0].GetProperty("path").GetString() == "/internal/billing/apple/verify");

        // One page of everything gives the same order as the pages did.
        var whole = await client.GetFromJsonAsync<JsonElement>("/internal/billing/admin/attention?limit=500");
        Assert.Equal(ids, whole.GetProperty("items").EnumerateArray().Select(e => $"{e.GetProperty("source").GetString()}/{e.GetProperty("id").GetString()}").ToList());
        Assert.Equal(JsonValueKind.Null, whole.GetProperty("next_cursor").ValueKind);
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=501")]
    [InlineData("cursor=not-a-cursor")]
    [InlineData("cursor=MTIzfGdyYW50fG5vdC1hLXV1aWQ")] // "123|grant|not-a-uuid"
    [InlineData("cursor=MTIzfGJvZ3VzfDE")] // "123|bogus|1"
    public async Task BadInput_Is400ProblemDetails(string query)
    {
        using var response = await Operator().GetAsync(new Uri($"/internal/billing/admin/attention?{query}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task WithoutTheAdminKey_Is403()
    {
        using var response = await _factory.CreateServiceClient().GetAsync(new Uri("/internal/billing/admin/attention", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    private HttpClient Operator()
    {
        var client = _factory.CreateServiceClient();
        client.DefaultRequestHeaders.Add("X-Admin-Key", AdminKey);
        return client;
    }

    private async Task GrantAsync(string key, string user, int amount, string status, DateTimeOffset createdAt, string? lastError, int debtCollected = 0)
    {
        await using var command = database.DataSource.CreateCommand("""
            INSERT INTO credit_grants (id, grant_key, user_id, amount, transaction_type, description, source_event, status, next_attempt_at, last_error, created_at, debt_collected)
            VALUES (gen_random_uuid(), $1, $2, $3, 'refund', $1, 'Test', $4, $5, $6, $5, $7)
            """);
        command.Parameters.AddWithValue(key);
        command.Parameters.AddWithValue(user);
        command.Parameters.AddWithValue(amount);
        command.Parameters.AddWithValue(status);
        command.Parameters.AddWithValue(createdAt);
        command.Parameters.AddWithValue((object?)lastError ?? DBNull.Value);
        command.Parameters.AddWithValue(debtCollected);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<long> InboxAsync(string eventId, string status, DateTimeOffset receivedAt, string? lastError)
    {
        await using var command = database.DataSource.CreateCommand("""
            INSERT INTO inbox_events (provider, event_id, event_type, payload, received_at, status, attempts, next_attempt_at, last_error)
            VALUES ('stripe', $1, 'invoice.paid', '{}', $2, $3, 3, $2, $4) RETURNING id
            """);
        command.Parameters.AddWithValue(eventId);
        command.Parameters.AddWithValue(receivedAt);
        command.Parameters.AddWithValue(status);
        command.Parameters.AddWithValue((object?)lastError ?? DBNull.Value);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task ItemAsync(string kind, string objectKey, string? user, string reason, DateTimeOffset createdAt)
    {
        await using var command = database.DataSource.CreateCommand("""
            INSERT INTO attention_items (id, kind, object_key, user_id, reason, created_at, last_seen_at) VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $5)
            """);
        command.Parameters.AddWithValue(kind);
        command.Parameters.AddWithValue(objectKey);
        command.Parameters.AddWithValue((object?)user ?? DBNull.Value);
        command.Parameters.AddWithValue(reason);
        command.Parameters.AddWithValue(createdAt);
        await command.ExecuteNonQueryAsync();
    }
}
