using System.Text.RegularExpressions;
using Billing.Domain.Catalog;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Billing.IntegrationTests.Console.Browser;

/// <summary>
/// The console in a real browser (Debian's chromium through Playwright) against the service on a real loopback listener.
/// Each page visited is saved as a screenshot under tests/artifacts/console and checked for accessibility basics
/// (one h1, labelled fields, a lang, a main landmark, no sideways scrolling) and for CSP violations.
/// </summary>
[Trait("Category", "Browser")]
public sealed class ConsoleBrowserTests(ConsoleBrowserFixture world, ITestOutputHelper output) : IClassFixture<ConsoleBrowserFixture>
{
    private readonly List<string> _cspViolations = [];

    [Fact]
    public async Task AnOperator_SignsInWithTheKeyboard_SearchesAUser_AndReadsTheTimeline()
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/admin");
        Assert.Contains("/admin/sign-in", page.Url, StringComparison.Ordinal);
        await CheckAsync(page, "sign-in");

        // Keyboard only: the email field has focus, Tab reaches the password, Enter submits.
        Assert.Equal("email", await page.EvaluateAsync<string>("() => document.activeElement.id"));
        await page.Keyboard.TypeAsync(world.OperatorEmail);
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("password", await page.EvaluateAsync<string>("() => document.activeElement.id"));
        await page.Keyboard.TypeAsync(ConsoleBrowserFixture.Password);
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync(new Regex("/admin$"));

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("section.card[aria-label=stripe]")).ToContainTextAsync(ProductCatalog.Studio.Price.Display());
        Assert.Equal(4, await page.Locator("svg.chart").CountAsync());
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Open attention items" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Relay requests and 429s per hour, last 7 days" })).ToBeVisibleAsync();
        await CheckAsync(page, "overview");

        // The first Tab on a page lands on the skip link, which moves focus to the content.
        await page.GotoAsync("/admin/search");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to content", await page.EvaluateAsync<string>("() => document.activeElement.textContent.trim()"));
        await page.GetByLabel("Flash user id", new() { Exact = false }).FillAsync(world.PayingUserEmail);
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync($"**/admin/users/{world.PayingUser}");
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync(world.PayingUser);
        await Assertions.Expect(page.Locator("ol.timeline")).ToContainTextAsync($"Paid {ProductCatalog.Studio.Price.Display()} for {ProductCatalog.Studio.Credits.Value} credits");
        await Assertions.Expect(page.Locator("ol.timeline")).ToContainTextAsync($"Grant of {ProductCatalog.Studio.Credits.Value} credits delivered");
        await Assertions.Expect(page.Locator("ol.timeline")).ToContainTextAsync("checkout.session.completed received");
        await CheckAsync(page, "user");

        await page.GotoAsync($"/admin/search?q={world.CheckoutSessionId}");
        await page.WaitForURLAsync($"**/admin/users/{world.PayingUser}");
        await page.GotoAsync("/admin/search?q=nothing-has-this-id");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 2 })).ToContainTextAsync("0 result(s)");
        await CheckAsync(page, "search");

        // A phone: the same timeline, no sideways scrolling of the page.
        var phone = await NewPageAsync(390, 844);
        await SignInAsync(phone, world.OperatorEmail);
        await phone.GotoAsync($"/admin/users/{world.PayingUser}");
        await CheckAsync(phone, "user-phone");
        await phone.GotoAsync("/admin");
        await CheckAsync(phone, "overview-phone");
        Assert.Empty(_cspViolations);
    }

    [Fact]
    public async Task AnOperator_RequeuesADeadGrant_WithAReason_AndSeesItDelivered()
    {
        var key = world.DeadGrantKey;
        world.Flash.AddUserWithId(world.StuckUser, balance: 0);
        var page = await NewPageAsync();
        await SignInAsync(page, world.OperatorEmail);
        await page.GotoAsync("/admin/grants");
        var row = page.Locator("tr", new() { HasText = key });
        await Assertions.Expect(row).ToContainTextAsync("dead");
        await CheckAsync(page, "grants");

        var form = page.Locator($"form[aria-label=\"Requeue {key}\"]");
        await form.GetByLabel("Reason for requeue").FillAsync("user now exists in Flash");
        await form.GetByRole(AriaRole.Button, new() { Name = "Requeue" }).ClickAsync();
        await Assertions.Expect(page.Locator(".flash.ok")).ToContainTextAsync($"Grant {key} requeued");

        await ConsoleBrowserFixture.WaitForAsync(
            async () =>
            {
                await page.GotoAsync($"/admin/users/{world.StuckUser}");
                return await page.Locator($"[data-grant-status=\"{key}\"]").InnerTextAsync() == "delivered";
            },
            "the requeued grant delivered");
        Assert.Equal(1, world.Flash.GrantCountWithDescription($"[{key}]"));
        Assert.Equal(30, world.Flash.BalanceOf(world.StuckUser));
        await CheckAsync(page, "user-after-requeue");

        await page.GotoAsync($"/admin/audit?object={Uri.EscapeDataString(key)}");
        var line = page.Locator("tbody tr").First;
        await Assertions.Expect(line).ToContainTextAsync("grant.requeue");
        await Assertions.Expect(line).ToContainTextAsync($"operator:{world.OperatorEmail}");
        await Assertions.Expect(line).ToContainTextAsync("user now exists in Flash");
        await line.Locator("summary").ClickAsync();
        await Assertions.Expect(line.Locator("pre").First).ToContainTextAsync("\"status\": \"dead\"");
        await CheckAsync(page, "audit");
        Assert.Empty(_cspViolations);
    }

    [Fact]
    public async Task Replaying_AnAppliedPaymentEvent_ProcessesItAgain_AndGrantsNothingTwice()
    {
        var page = await NewPageAsync();
        await SignInAsync(page, world.OperatorEmail);
        await page.GotoAsync("/admin/events?provider=stripe");
        await CheckAsync(page, "events");
        await page.Locator("tr", new() { HasText = world.CheckoutEventId }).GetByRole(AriaRole.Link).First.ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("checkout.session.completed");
        await Assertions.Expect(page.Locator("#event-status")).ToHaveTextAsync("processed");

        await page.GetByLabel("Reason for replay").FillAsync("checking idempotency");
        await page.GetByRole(AriaRole.Button, new() { Name = "Replay event" }).ClickAsync();
        // The normal path sees the session already fulfilled: recorded as ignored, with why, and nothing owed again.
        await Assertions.Expect(page.Locator(".flash.ok")).ToContainTextAsync("replayed: now ignored");
        await Assertions.Expect(page.Locator(".flash.ok")).ToContainTextAsync("already fulfilled");
        await Assertions.Expect(page.Locator("#event-status")).ToHaveTextAsync("ignored");
        await CheckAsync(page, "event");

        Assert.Equal(ProductCatalog.Studio.Credits.Value, world.Flash.TotalGranted(world.PayingUser));
        Assert.Equal(1, await world.Database.ScalarAsync($"SELECT count(*) FROM credit_grants WHERE user_id = '{world.PayingUser}'"));
        Assert.Equal(1, await world.Database.ScalarAsync($"SELECT count(*) FROM audit_log WHERE action = 'inbox.replay' AND object_id = 'stripe:{world.CheckoutEventId}'"));

        // A filtered set: the same path for each event shown, each with its own audit line.
        await page.GotoAsync("/admin/events?provider=stripe&type=checkout.session.completed");
        await page.GetByLabel("Reason for replaying these").FillAsync("bulk idempotency check");
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Replay \\d+ event") }).ClickAsync();
        await Assertions.Expect(page.Locator(".flash.ok")).ToContainTextAsync("Replayed 1 event(s): 1 ignored.");
        await CheckAsync(page, "events-after-bulk-replay");
        Assert.Equal(ProductCatalog.Studio.Credits.Value, world.Flash.TotalGranted(world.PayingUser));
        Assert.Equal(2, await world.Database.ScalarAsync($"SELECT count(*) FROM audit_log WHERE action = 'inbox.replay' AND object_id = 'stripe:{world.CheckoutEventId}'"));
        Assert.Empty(_cspViolations);
    }

    [Fact]
    public async Task AViewer_Reads_ButCannotAct_EvenWithAFormPostOfItsOwn()
    {
        var key = await ConsoleTestData.SeedDeadGrantAsync(world.Database, "viewer-case-" + Guid.NewGuid().ToString("N")[..8]);
        var page = await NewPageAsync();
        await SignInAsync(page, world.ViewerEmail);
        await page.GotoAsync("/admin/grants");
        await Assertions.Expect(page.Locator("tr", new() { HasText = key })).ToContainTextAsync("an operator can requeue this");
        Assert.Equal(0, await page.Locator("form[aria-label^=\"Requeue\"]").CountAsync());

        // A hand-made post with the viewer's own valid antiforgery token: refused by role, nothing changes.
        var token = await page.Locator("input[name=__af]").First.GetAttributeAsync("value");
        var form = page.APIRequest.CreateFormData();
        form.Set("__af", token!);
        form.Set("grantKey", key);
        form.Set("reason", "viewer trying");
        var response = await page.APIRequest.PostAsync("/admin/grants?handler=Requeue", new() { Form = form, MaxRedirects = 0 });
        Assert.Equal(302, response.Status);
        Assert.Contains("/admin/denied", response.Headers["location"], StringComparison.Ordinal);
        Assert.Equal(1, await world.Database.ScalarAsync($"SELECT count(*) FROM credit_grants WHERE grant_key = '{key}' AND status = 'dead'"));
        Assert.Equal(0, await world.Database.ScalarAsync($"SELECT count(*) FROM audit_log WHERE object_id = '{key}'"));

        await page.GotoAsync("/admin/operators");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not allowed" })).ToBeVisibleAsync();
        await CheckAsync(page, "denied");
        Assert.Equal(0, await page.GetByRole(AriaRole.Link, new() { Name = "Operators" }).CountAsync());
        Assert.Empty(_cspViolations);
    }

    [Fact]
    public async Task AFormPost_WithoutTheAntiforgeryToken_IsRefused()
    {
        var key = await ConsoleTestData.SeedDeadGrantAsync(world.Database, "forged-case-" + Guid.NewGuid().ToString("N")[..8]);
        var page = await NewPageAsync();
        await SignInAsync(page, world.OperatorEmail);
        var form = page.APIRequest.CreateFormData();
        form.Set("grantKey", key);
        form.Set("reason", "forged");
        var response = await page.APIRequest.PostAsync("/admin/grants?handler=Requeue", new() { Form = form, MaxRedirects = 0 });
        Assert.Equal(400, response.Status);

        var forgedToken = page.APIRequest.CreateFormData();
        forgedToken.Set("__af", "CfDJ8-not-a-real-token");
        forgedToken.Set("grantKey", key);
        forgedToken.Set("reason", "forged");
        Assert.Equal(400, (await page.APIRequest.PostAsync("/admin/grants?handler=Requeue", new() { Form = forgedToken, MaxRedirects = 0 })).Status);
        Assert.Equal(1, await world.Database.ScalarAsync($"SELECT count(*) FROM credit_grants WHERE grant_key = '{key}' AND status = 'dead'"));
        Assert.Equal(0, await world.Database.ScalarAsync($"SELECT count(*) FROM audit_log WHERE object_id = '{key}'"));
    }

    [Fact]
    public async Task FiveWrongPasswords_LockTheAccount_UntilAnAdminUnlocksIt()
    {
        var page = await NewPageAsync();
        for (var i = 1; i <= 5; i++)
        {
            await SignInAsync(page, world.LockoutEmail, $"wrong password {i}", expectSuccess: false);
            await Assertions.Expect(page.Locator("#sign-in-error")).ToContainTextAsync(i < 5 ? "not right" : "locked for 15 minutes");
        }

        await SignInAsync(page, world.LockoutEmail, ConsoleBrowserFixture.Password, expectSuccess: false);
        await Assertions.Expect(page.Locator("#sign-in-error")).ToContainTextAsync("locked for 15 minutes");
        await CheckAsync(page, "sign-in-locked");

        var admin = await NewPageAsync();
        await SignInAsync(admin, world.AdminEmail);
        await admin.GotoAsync("/admin/operators");
        var row = admin.Locator("tr", new() { HasText = world.LockoutEmail });
        await Assertions.Expect(row).ToContainTextAsync("locked until");
        await CheckAsync(admin, "operators");
        await row.GetByLabel("Reason for enabling").FillAsync("verified on a call");
        await row.GetByRole(AriaRole.Button, new() { Name = "Unlock" }).ClickAsync();
        await Assertions.Expect(admin.Locator(".flash.ok")).ToContainTextAsync("enabled");

        await SignInAsync(page, world.LockoutEmail);
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

    private static Task SignInAsync(IPage page, string email, string password = ConsoleBrowserFixture.Password, bool expectSuccess = true) =>
        ConsoleBrowserChecks.SignInAsync(page, email, password, expectSuccess);

    private Task CheckAsync(IPage page, string name) => ConsoleBrowserChecks.CheckAsync(page, name, output);
}
