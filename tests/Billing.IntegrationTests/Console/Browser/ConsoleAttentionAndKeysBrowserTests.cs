using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Billing.IntegrationTests.Console.Browser;

/// <summary>
/// The Attention and Keys pages in a real browser (Debian's chromium through Playwright) against the service on loopback:
/// requeue and resolve from the attention list, bulk requeue, search and revoke a developer key, and a viewer who cannot act.
/// Screenshots go to tests/artifacts/console with the other console pages.
/// </summary>
[Trait("Category", "Browser")]
public sealed class ConsoleAttentionAndKeysBrowserTests(ConsoleBrowserFixture world, ITestOutputHelper output) : IClassFixture<ConsoleBrowserFixture>
{
    private readonly List<string> _cspViolations = [];

    [Fact]
    public async Task TheAttentionPage_ListsADeadGrantAndAnUnmappedPrice_RequeueDeliversIt_AndResolveIsAudited()
    {
        var user = "att-" + Guid.NewGuid().ToString("N")[..10];
        var key = await ConsoleTestData.SeedDeadGrantAsync(world.Database, user, amount: 45);
        var invoice = $"stripe:invoice:in_{Guid.NewGuid():N}";
        var itemId = await ConsoleTestData.SeedAttentionItemAsync(world.Database, "unmapped_stripe_price", invoice, user, "price_unknown_tier maps to no tier: nothing granted");
        var page = await NewPageAsync();
        await ConsoleBrowserChecks.SignInAsync(page, world.OperatorEmail);
        await page.GetByRole(AriaRole.Link, new() { Name = "Attention", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Attention", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator($"tr[data-attention=\"grant:{key}\"]")).ToContainTextAsync("grant_dead");
        await Assertions.Expect(page.Locator($"tr[data-attention=\"attention_item:{itemId}\"]")).ToContainTextAsync("maps to no tier");
        await Check(page, "attention");

        // The filters: one kind, one user.
        await page.GetByLabel("Kind").SelectOptionAsync("unmapped_stripe_price");
        await page.GetByLabel("Flash user id").FillAsync(user);
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Assertions.Expect(page.Locator("tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("tbody tr")).ToContainTextAsync(invoice);
        await page.GotoAsync($"/admin/attention?user={user}");
        await Assertions.Expect(page.Locator("tbody tr")).ToHaveCountAsync(2);

        // Requeue the dead grant once Flash knows the user: delivered by the dispatcher, audited.
        world.Flash.AddUserWithId(user, balance: 0);
        var grantRow = page.Locator($"tr[data-attention=\"grant:{key}\"]");
        await grantRow.GetByLabel("Reason for requeue").FillAsync("user created in Flash");
        await grantRow.GetByRole(AriaRole.Button, new() { Name = "Requeue" }).ClickAsync();
        await Assertions.Expect(page.Locator(".flash.ok")).ToContainTextAsync($"Grant {key} requeued");
        Assert.Contains($"user={user}", page.Url, StringComparison.Ordinal);
        await ConsoleBrowserFixture.WaitForAsync(() => Task.FromResult(world.Flash.BalanceOf(user) == 45), "the requeued grant delivered to Flash");
        Assert.Equal(1, world.Flash.GrantCountWithDescription($"[{key}]"));
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator($"tr[data-attention=\"grant:{key}\"]")).ToHaveCountAsync(0);

        // Resolve the item: a reason is required (the browser will not submit without one), then it leaves the list.
        var itemRow = page.Locator($"tr[data-attention=\"attention_item:{itemId}\"]");
        await itemRow.GetByRole(AriaRole.Button, new() { Name = "Resolve" }).ClickAsync();
        Assert.Equal(0, await world.Database.ScalarAsync($"SELECT count(*) FROM attention_items WHERE id = '{itemId}' AND resolved_at IS NOT NULL"));
        await itemRow.GetByLabel("Reason for resolving").FillAsync("price mapped to Creator; invoice replayed");
        await itemRow.GetByRole(AriaRole.Button, new() { Name = "Resolve" }).ClickAsync();
        await Assertions.Expect(page.Locator(".flash.ok")).ToContainTextAsync($"Resolved unmapped_stripe_price {invoice}");
        await Assertions.Expect(page.Locator($"tr[data-attention=\"attention_item:{itemId}\"]")).ToHaveCountAsync(0);
        await Check(page, "attention-after-actions");

        await page.GotoAsync($"/admin/audit?object={itemId}");
        var line = page.Locator("tbody tr").First;
        await Assertions.Expect(line).ToContainTextAsync("attention.resolve");
        await Assertions.Expect(line).ToContainTextAsync($"operator:{world.OperatorEmail}");
        await Assertions.Expect(line).ToContainTextAsync("price mapped to Creator; invoice replayed");
        await line.Locator("summary").ClickAsync();
        await Assertions.Expect(line.Locator("pre").Last).ToContainTextAsync("\"resolved_by\": \"operator:" + world.OperatorEmail + "\"");
        await Check(page, "audit-attention-resolve");
        Assert.Equal(1, await world.Database.ScalarAsync($"SELECT count(*) FROM audit_log WHERE object_id = '{key}' AND action = 'grant.requeue' AND reason = 'user created in Flash'"));
        Assert.Empty(_cspViolations);
    }

    [Fact]
    public async Task BulkRequeue_SendsEveryDeadGrantOfTheUserAgain_EachAudited()
    {
        var user = "bulk-" + Guid.NewGuid().ToString("N")[..10];
        var keys = new[] { await ConsoleTestData.SeedDeadGrantAsync(world.Database, user, 10), await ConsoleTestData.SeedDeadGrantAsync(world.Database, user, 20) };
        var bystander = await ConsoleTestData.SeedDeadGrantAsync(world.Database, "bystander-" + Guid.NewGuid().ToString("N")[..8], 5);
        world.Flash.AddUserWithId(user, balance: 0);
        var page = await NewPageAsync();
        await ConsoleBrowserChecks.SignInAsync(page, world.OperatorEmail);
        await page.GotoAsync($"/admin/attention?user={user}");
        var bulk = page.Locator("form[aria-label=\"Requeue grants in bulk\"]");
        await bulk.GetByLabel("Status").SelectOptionAsync("dead");
        Assert.Equal(user, await bulk.GetByLabel("Only this user").InputValueAsync());
        await bulk.GetByLabel("Reason for bulk requeue").FillAsync("Flash outage over");
        await bulk.GetByRole(AriaRole.Button, new() { Name = "Requeue all" }).ClickAsync();
        await Assertions.Expect(page.Locator(".flash.ok")).ToContainTextAsync($"Requeued 2 dead grant(s) of {user}.");
        await ConsoleBrowserFixture.WaitForAsync(() => Task.FromResult(world.Flash.BalanceOf(user) == 30), "both requeued grants delivered");
        await Check(page, "attention-after-bulk-requeue");

        foreach (var key in keys)
        {
            Assert.Equal(1, await world.Database.ScalarAsync($"SELECT count(*) FROM audit_log WHERE object_id = '{key}' AND action = 'grant.requeue' AND reason = 'Flash outage over' AND before->>'status' = 'dead' AND after->>'status' = 'pending'"));
        }

        Assert.Equal(1, await world.Database.ScalarAsync($"SELECT count(*) FROM credit_grants WHERE grant_key = '{bystander}' AND status = 'dead'"));
        Assert.Empty(_cspViolations);
    }

    [Fact]
    public async Task TheKeysPage_FindsAKeyByOwnerAndSuffix_AndRevokingIt_MakesTheRelayAnswer401()
    {
        var user = "keys-" + Guid.NewGuid().ToString("N")[..10];
        world.Flash.AddUserWithId(user, balance: 12);
        using var service = world.ServiceClient(user);
        using var created = await service.PostAsJsonAsync("/internal/billing/keys", new { name = "ci pipeline", mode = "live" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var key = await created.Content.ReadFromJsonAsync<JsonElement>();
        var (id, secret, display) = (key.GetProperty("id").GetString()!, key.GetProperty("key").GetString()!, key.GetProperty("display").GetString()!);
        using var developer = new HttpClient { BaseAddress = world.BaseUrl };
        developer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        Assert.Equal(HttpStatusCode.OK, (await developer.GetAsync(new Uri("/v1/credits/balance", UriKind.Relative))).StatusCode);

        var page = await NewPageAsync();
        await ConsoleBrowserChecks.SignInAsync(page, world.OperatorEmail);
        await page.GetByRole(AriaRole.Link, new() { Name = "Keys", Exact = true }).ClickAsync();
        await page.GetByLabel("Key id, owner user id, or display suffix").FillAsync(user);
        await page.Keyboard.PressAsync("Enter");
        var row = page.Locator($"tr[data-key=\"{id}\"]");
        await Assertions.Expect(row).ToContainTextAsync(display);
        await Assertions.Expect(row).ToContainTextAsync("ci pipeline");
        await Assertions.Expect(row.Locator($"[data-key-status=\"{id}\"]")).ToHaveTextAsync("active");
        await page.GotoAsync($"/admin/keys?q={Uri.EscapeDataString(display[^4..])}");
        await Assertions.Expect(page.Locator($"tr[data-key=\"{id}\"]")).ToBeVisibleAsync();
        await page.GotoAsync($"/admin/keys?q={id}");
        await Assertions.Expect(page.Locator("tbody tr")).ToHaveCountAsync(1);
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);
        await Check(page, "keys");

        row = page.Locator($"tr[data-key=\"{id}\"]");
        await row.GetByLabel("Reason for revoking").FillAsync("key posted in a public issue");
        await row.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Assertions.Expect(page.Locator(".flash.ok")).ToContainTextAsync($"Key {id} ({display}) of {user} revoked");
        await Assertions.Expect(page.Locator($"[data-key-status=\"{id}\"]")).ToHaveTextAsync("revoked");
        await ConsoleBrowserFixture.WaitForAsync(
            async () => (await developer.GetAsync(new Uri("/v1/credits/balance", UriKind.Relative))).StatusCode == HttpStatusCode.Unauthorized,
            "the revoked key refused by the relay",
            seconds: 5);
        await Check(page, "keys-after-revoke");

        // The user's page lists the key (display only) and draws the relay usage.
        await page.GotoAsync($"/admin/users/{user}");
        await Assertions.Expect(page.Locator("table[aria-labelledby=keys]")).ToContainTextAsync(display);
        await Assertions.Expect(page.Locator("table[aria-labelledby=keys]")).ToContainTextAsync("revoked");
        await Assertions.Expect(page.Locator("svg.chart title").First).ToContainTextAsync("Metered calls per day over the last 30 days");
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);
        await Check(page, "user-keys-usage");
        Assert.Equal(1, await world.Database.ScalarAsync($"SELECT count(*) FROM audit_log WHERE object_id = '{id}' AND action = 'api_key.revoke' AND actor = 'operator:{world.OperatorEmail}' AND reason = 'key posted in a public issue'"));
        Assert.Empty(_cspViolations);
    }

    [Fact]
    public async Task AViewer_SeesTheAttentionAndKeysPages_WithoutActions_AndAForgedPostIsRefused()
    {
        var user = "viewer-att-" + Guid.NewGuid().ToString("N")[..8];
        var key = await ConsoleTestData.SeedDeadGrantAsync(world.Database, user);
        var itemId = await ConsoleTestData.SeedAttentionItemAsync(world.Database, "unattributable_apple_transaction", $"apple:transaction:{Guid.NewGuid():N}", user, "no Flash user for this appAccountToken");
        var page = await NewPageAsync();
        await ConsoleBrowserChecks.SignInAsync(page, world.ViewerEmail);
        await page.GotoAsync($"/admin/attention?user={user}");
        await Assertions.Expect(page.Locator($"tr[data-attention=\"grant:{key}\"]")).ToContainTextAsync("an operator can act on this");
        await Assertions.Expect(page.Locator($"tr[data-attention=\"attention_item:{itemId}\"]")).ToContainTextAsync("an operator can act on this");
        Assert.Equal(0, await page.Locator("main form[method=post]").CountAsync());
        Assert.Equal(0, await page.GetByRole(AriaRole.Button, new() { Name = "Requeue all" }).CountAsync());
        await Check(page, "attention-viewer");

        var token = await page.Locator("input[name=__af]").First.GetAttributeAsync("value");
        foreach (var (handler, field, value) in new[] { ("Resolve", "id", itemId.ToString()), ("Requeue", "grantKey", key), ("BulkRequeue", "status", "dead") })
        {
            var form = page.APIRequest.CreateFormData();
            form.Set("__af", token!);
            form.Set(field, value);
            form.Set("reason", "viewer trying");
            var response = await page.APIRequest.PostAsync($"/admin/attention?handler={handler}", new() { Form = form, MaxRedirects = 0 });
            Assert.Equal(302, response.Status);
            Assert.Contains("/admin/denied", response.Headers["location"], StringComparison.Ordinal);
        }

        await page.GotoAsync("/admin/keys");
        Assert.Equal(0, await page.Locator("main form[method=post]").CountAsync());
        var revoke = page.APIRequest.CreateFormData();
        revoke.Set("__af", token!);
        revoke.Set("keyId", "key_AAAAAAAAAAAAAAAAAAAAAAAA");
        revoke.Set("reason", "viewer trying");
        Assert.Equal(302, (await page.APIRequest.PostAsync("/admin/keys?handler=Revoke", new() { Form = revoke, MaxRedirects = 0 })).Status);
        await Check(page, "keys-viewer");

        Assert.Equal(0, await world.Database.ScalarAsync($"SELECT count(*) FROM attention_items WHERE id = '{itemId}' AND resolved_at IS NOT NULL"));
        Assert.Equal(1, await world.Database.ScalarAsync($"SELECT count(*) FROM credit_grants WHERE grant_key = '{key}' AND status = 'dead'"));
        Assert.Equal(0, await world.Database.ScalarAsync($"SELECT count(*) FROM audit_log WHERE actor = 'operator:{world.ViewerEmail}'"));
        Assert.Empty(_cspViolations);
    }

    private async Task<IPage> NewPageAsync(int width = 1280, int height = 900)
    {
        var page = await world.NewPageAsync(width, height);
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                _cspViolations.Add(message.Text);
            }
        };
        return page;
    }

    private Task Check(IPage page, string name) => ConsoleBrowserChecks.CheckAsync(page, name, output);
}
