using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.Application.Abstractions.Attention;
using Billing.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.IntegrationTests.Attention;

/// <summary>The attention list's filters and <c>POST /internal/billing/admin/attention/{id}/resolve</c> over HTTP on real PostgreSQL.</summary>
public sealed class AttentionResolveTests(BillingDatabase database) : IClassFixture<BillingDatabase>, IDisposable
{
    private const string AdminKey = "operator-key-for-attention-resolve-tests";

    private readonly BillingApiFactory _factory = new(database.ConnectionString, new Dictionary<string, string?>
    {
        ["BILLING_ADMIN_KEY"] = AdminKey,
        ["BACKGROUND_WORKERS"] = "false",
    });

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Filters_ByKindAndUser_NarrowTheList()
    {
        var user = Guid.NewGuid().ToString();
        var other = Guid.NewGuid().ToString();
        var t = DateTimeOffset.UtcNow.AddHours(-2);
        await GrantAsync($"test:grant:{user}:dead", user, "dead", t);
        await GrantAsync($"test:grant:{user}:doubt", user, "in_doubt", t);
        await GrantAsync($"test:grant:{other}:dead", other, "dead", t);
        await ItemAsync("unmapped_stripe_price", $"stripe:invoice:in_{user}", user, t);
        await InboxFailedAsync($"evt_{user}", t);
        var client = Operator();

        var mine = await Ids(client, $"user_id={user}");
        Assert.Equal(3, mine.Count);
        Assert.Equal(2, mine.Count(id => id.StartsWith($"grant/test:grant:{user}:", StringComparison.Ordinal)));
        Assert.Single(mine, id => id.StartsWith("attention_item/", StringComparison.Ordinal));
        Assert.Equal([$"grant/test:grant:{user}:dead"], await Ids(client, $"user_id={user}&kind=grant_dead"));
        Assert.Equal([$"grant/test:grant:{user}:doubt"], await Ids(client, $"user_id={user}&kind=grant_in_doubt"));
        Assert.Single(await Ids(client, $"user_id={user}&kind=unmapped_stripe_price"));
        var failedInbox = await Ids(client, "kind=inbox_failed&limit=500");
        Assert.NotEmpty(failedInbox);
        Assert.All(failedInbox, id => Assert.StartsWith("inbox/", id, StringComparison.Ordinal));
        Assert.Empty(await Ids(client, $"user_id={user}&kind=inbox_failed"));
    }

    [Fact]
    public async Task Resolve_NeedsAReason_IsAudited_LeavesTheList_IsRefusedTwice_AndARaiseReopensIt()
    {
        var objectKey = $"stripe:invoice:in_{Guid.NewGuid():N}";
        var id = await ItemAsync("unmapped_stripe_price", objectKey, null, DateTimeOffset.UtcNow.AddMinutes(-5));
        var client = Operator();
        var listed = await client.GetFromJsonAsync<JsonElement>("/internal/billing/admin/attention?kind=unmapped_stripe_price&limit=500");
        var entry = Assert.Single(listed.GetProperty("items").EnumerateArray(), e => e.GetProperty("id").GetString() == id.ToString());
        Assert.Contains(entry.GetProperty("routes").EnumerateArray(), r => r.GetProperty("path").GetString() == $"/internal/billing/admin/attention/{id}/resolve");

        Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(client, id, new { reason = " " }));
        using (var noBody = await client.PostAsync(new Uri($"/internal/billing/admin/attention/{id}/resolve", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noBody.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(client, Guid.NewGuid(), new { reason = "r" }));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(_factory.CreateServiceClient(), id, new { reason = "r" }));
        Assert.Equal(0, await database.ScalarAsync($"SELECT count(*) FROM audit_log WHERE object_id = '{id}'"));

        using var resolved = await client.PostAsJsonAsync($"/internal/billing/admin/attention/{id}/resolve", new { reason = "price mapped, invoice requeued" });
        Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
        var body = await resolved.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("admin_key", body.GetProperty("resolved_by").GetString());
        Assert.Equal("price mapped, invoice requeued", body.GetProperty("resolution_reason").GetString());
        Assert.Equal(1, await database.ScalarAsync(
            "SELECT count(*) FROM audit_log WHERE action = 'attention.resolve' AND object_type = 'attention_item' " +
            $"AND object_id = '{id}' AND actor = 'admin_key' AND reason = 'price mapped, invoice requeued' " +
            "AND before->>'resolved_at' IS NULL AND after->>'resolved_at' IS NOT NULL"));
        Assert.DoesNotContain($"attention_item/{id}", await Ids(client, "kind=unmapped_stripe_price&limit=500"));
        Assert.DoesNotContain($"attention_item/{id}", await Ids(client, "limit=500"));

        using (var again = await client.PostAsJsonAsync($"/internal/billing/admin/attention/{id}/resolve", new { reason = "again" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
        }

        // The same problem raised again (the invoice processed once more, still unmapped): the item is open again.
        await using (var scope = _factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<IAttentionList>().RaiseAsync("unmapped_stripe_price", objectKey, null, "still maps to no tier", CancellationToken.None);
        }

        Assert.Contains($"attention_item/{id}", await Ids(client, "kind=unmapped_stripe_price&limit=500"));
        Assert.Equal(0, await database.ScalarAsync($"SELECT count(*) FROM attention_items WHERE id = '{id}' AND (resolved_at IS NOT NULL OR resolved_by IS NOT NULL)"));
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, Guid id, object body)
    {
        using var response = await client.PostAsJsonAsync($"/internal/billing/admin/attention/{id}/resolve", body);
        return response.StatusCode;
    }

    private static async Task<List<string>> Ids(HttpClient client, string query)
    {
        var page = await client.GetFromJsonAsync<JsonElement>($"/internal/billing/admin/attention?{query}");
        return [.. page.GetProperty("items").EnumerateArray().Select(e => $"{e.GetProperty("source").GetString()}/{e.GetProperty("id").GetString()}")];
    }

    private HttpClient Operator()
    {
        var client = _factory.CreateServiceClient();
        client.DefaultRequestHeaders.Add("X-Admin-Key", AdminKey);
        return client;
    }

    private async Task GrantAsync(string key, string user, string status, DateTimeOffset createdAt)
    {
        await using var command = database.DataSource.CreateCommand("""
            INSERT INTO credit_grants (id, grant_key, user_id, amount, transaction_type, description, source_event, status, next_attempt_at, last_error, created_at, debt_collected)
            VALUES (gen_random_uuid(), $1, $2, 10, 'refund', $1, 'Test', $3, $4, 'test', $4, 0)
            """);
        command.Parameters.AddWithValue(key);
        command.Parameters.AddWithValue(user);
        command.Parameters.AddWithValue(status);
        command.Parameters.AddWithValue(createdAt);
        await command.ExecuteNonQueryAsync();
    }

    private async Task InboxFailedAsync(string eventId, DateTimeOffset receivedAt)
    {
        await using var command = database.DataSource.CreateCommand("""
            INSERT INTO inbox_events (provider, event_id, event_type, payload, received_at, status, attempts, next_attempt_at, last_error)
            VALUES ('stripe', $1, 'invoice.paid', '{}', $2, 'failed', 3, $2, 'boom')
            """);
        command.Parameters.AddWithValue(eventId);
        command.Parameters.AddWithValue(receivedAt);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<Guid> ItemAsync(string kind, string objectKey, string? user, DateTimeOffset createdAt)
    {
        await using var command = database.DataSource.CreateCommand("""
            INSERT INTO attention_items (id, kind, object_key, user_id, reason, created_at, last_seen_at) VALUES (gen_random_uuid(), $1, $2, $3, 'maps to no tier', $4, $4) RETURNING id
            """);
        command.Parameters.AddWithValue(kind);
        command.Parameters.AddWithValue(objectKey);
        command.Parameters.AddWithValue((object?)user ?? DBNull.Value);
        command.Parameters.AddWithValue(createdAt);
        return (Guid)(await command.ExecuteScalarAsync())!;
    }
}
