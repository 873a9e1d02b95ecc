using System.Text.Json;
using Billing.Cli;
using Billing.Domain.ApiKeys;
using Billing.Domain.Common;
using Billing.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Spectre.Console;

namespace Billing.IntegrationTests.Console;

/// <summary><c>billing attention</c> and <c>billing keys list|revoke</c> against a real database.</summary>
public sealed class CliAttentionAndKeysTests(BillingDatabase database) : IClassFixture<BillingDatabase>
{
    [Fact]
    public async Task Attention_ListsADeadGrantAndAnItem_AsATableAndJson_AndResolveIsAudited()
    {
        var user = "cli-att-" + Guid.NewGuid().ToString("N")[..10];
        var key = await ConsoleTestData.SeedDeadGrantAsync(database, user, amount: 35);
        var itemId = await ConsoleTestData.SeedAttentionItemAsync(database, "unmapped_stripe_price", $"stripe:invoice:in_{Guid.NewGuid():N}", user, "price_cli maps to no tier");

        var json = await Run(["attention", "--user", user, "--json"]);
        Assert.Equal(0, json.ExitCode);
        var items = JsonDocument.Parse(json.Out).RootElement.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(2, items.Count);
        Assert.Contains(items, e => e.GetProperty("kind").GetString() == "grant_dead" && e.GetProperty("id").GetString() == key && e.GetProperty("amount").GetInt32() == 35);
        Assert.Contains(items, e => e.GetProperty("kind").GetString() == "unmapped_stripe_price" && e.GetProperty("id").GetString() == itemId.ToString());

        var table = await Run(["attention", "--user", user]);
        Assert.Equal(0, table.ExitCode);
        Assert.Contains(key, table.Out, StringComparison.Ordinal);
        Assert.Contains("price_cli maps to no tier", table.Out, StringComparison.Ordinal);
        Assert.Contains($"billing attention resolve {itemId}", table.Out, StringComparison.Ordinal);
        Assert.Contains("grant_dead", (await Run(["attention", "--user", user, "--kind", "grant_dead"])).Out, StringComparison.Ordinal);
        Assert.DoesNotContain("unmapped_stripe_price", (await Run(["attention", "--user", user, "--kind", "grant_dead"])).Out, StringComparison.Ordinal);

        Assert.NotEqual(0, (await Run(["attention", "resolve", itemId.ToString()])).ExitCode);
        var resolved = await Run(["attention", "resolve", itemId.ToString(), "--reason", "price mapped", "--json"]);
        Assert.Equal(0, resolved.ExitCode);
        Assert.Equal("cli:tester", JsonDocument.Parse(resolved.Out).RootElement.GetProperty("resolved_by").GetString());
        Assert.Equal(BillingCli.Refused, (await Run(["attention", "resolve", itemId.ToString(), "--reason", "twice"])).ExitCode);
        Assert.Equal(BillingCli.Refused, (await Run(["attention", "resolve", Guid.NewGuid().ToString(), "--reason", "unknown"])).ExitCode);
        Assert.Equal(1, await database.ScalarAsync($"SELECT count(*) FROM audit_log WHERE object_id = '{itemId}' AND action = 'attention.resolve' AND actor = 'cli:tester' AND reason = 'price mapped'"));
        Assert.DoesNotContain("unmapped_stripe_price", (await Run(["attention", "--user", user])).Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_ListByUser_NeverShowsASecret_AndRevokeIsAuditedAndFinal()
    {
        var user = "cli-keys-" + Guid.NewGuid().ToString("N")[..10];
        var (first, firstSecret) = await SeedKeyAsync(user, "ci");
        var (second, _) = await SeedKeyAsync(user, "laptop");
        await SeedKeyAsync("someone-else-" + Guid.NewGuid().ToString("N")[..6], "other");

        var json = await Run(["keys", "list", "--user", user, "--json"]);
        Assert.Equal(0, json.ExitCode);
        var keys = JsonDocument.Parse(json.Out).RootElement.GetProperty("keys").EnumerateArray().ToList();
        Assert.Equal([second.Id.Value, first.Id.Value], keys.Select(k => k.GetProperty("id").GetString()).ToList());
        Assert.All(keys, k => Assert.Equal("active", k.GetProperty("status").GetString()));
        Assert.DoesNotContain(firstSecret.Value, json.Out, StringComparison.Ordinal);

        var table = await Run(["keys", "list", "--user", user]);
        Assert.Contains(first.Display, table.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(firstSecret.Value, table.Out, StringComparison.Ordinal);
        Assert.Equal(BillingCli.BadInput, (await Run(["keys", "list"])).ExitCode);
        var bySuffix = await Run(["keys", "list", "--search", first.Display, "--json"]);
        Assert.Contains(JsonDocument.Parse(bySuffix.Out).RootElement.GetProperty("keys").EnumerateArray(), k => k.GetProperty("id").GetString() == first.Id.Value);

        Assert.NotEqual(0, (await Run(["keys", "revoke", first.Id.Value])).ExitCode);
        var revoked = await Run(["keys", "revoke", first.Id.Value, "--reason", "leaked in a public repo", "--json"]);
        Assert.Equal(0, revoked.ExitCode);
        Assert.Equal("revoked", JsonDocument.Parse(revoked.Out).RootElement.GetProperty("status").GetString());
        Assert.Equal(BillingCli.Refused, (await Run(["keys", "revoke", first.Id.Value, "--reason", "again"])).ExitCode);
        Assert.Equal(BillingCli.Refused, (await Run(["keys", "revoke", "key_doesnotexist000000000000", "--reason", "r"])).ExitCode);
        Assert.Equal(1, await database.ScalarAsync($"SELECT count(*) FROM api_keys WHERE id = '{first.Id.Value}' AND revoked_at IS NOT NULL"));
        Assert.Equal(0, await database.ScalarAsync($"SELECT count(*) FROM api_keys WHERE id = '{second.Id.Value}' AND revoked_at IS NOT NULL"));
        Assert.Equal(1, await database.ScalarAsync(
            $"SELECT count(*) FROM audit_log WHERE object_type = 'api_key' AND object_id = '{first.Id.Value}' AND action = 'api_key.revoke' AND actor = 'cli:tester' " +
            "AND reason = 'leaked in a public repo' AND before->>'status' = 'active' AND after->>'status' = 'revoked'"));
        Assert.Equal(0, await database.ScalarAsync($"SELECT count(*) FROM audit_log WHERE object_type = 'api_key' AND (before::text LIKE '%{firstSecret.Value}%' OR after::text LIKE '%{firstSecret.Value}%')"));
    }

    private async Task<(ApiKey Key, ApiKeySecret Secret)> SeedKeyAsync(string owner, string name)
    {
        var created = ApiKey.Create(UserId.From(owner), name, ApiKeyMode.Live, null, DateTimeOffset.UtcNow);
        await using var db = database.CreateContext();
        db.ApiKeys.Add(created.Key);
        await db.SaveChangesAsync();
        await Task.Delay(5); // distinct created_at, so "newest first" is well defined
        return created;
    }

    private async Task<(int ExitCode, string Out, string Err)> Run(string[] args)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["DATABASE_URL"] = database.ConnectionString }).Build();
        var output = new StringWriter();
        var error = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 400;
        await using var context = new CliContext(configuration, console, output, error, new StringReader(""), inputRedirected: true, "tester");
        var exitCode = await BillingCli.RunAsync(args, context);
        return (exitCode, output.ToString(), error.ToString());
    }
}
