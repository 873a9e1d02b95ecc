using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.IntegrationTests.Infrastructure;
using Billing.TestFakes.Flash;

namespace Billing.IntegrationTests.Grants;

public sealed class OperatorGrantEndpointTests(BillingDatabase database) : IClassFixture<BillingDatabase>
{
    private const string AdminKey = "operator-key-for-tests";

    [Fact]
    public async Task DeadGrant_IsListedInStatusAndForOperators_AndARequeueDeliversItOnce()
    {
        await using var flash = await FlashFake.StartAsync(new FlashFakeOptions { GatewaySigningSecret = "gateway-signing-secret-for-tests" });
        var settings = GrantTestKit.Settings(flash, "gateway-signing-secret-for-tests", new Dictionary<string, string?>
        {
            ["BILLING_ADMIN_KEY"] = AdminKey,
            ["GRANT_POLL_INTERVAL_MS"] = "100",
        });
        using var factory = new BillingApiFactory(database.ConnectionString, settings);
        var operatorClient = factory.CreateServiceClient();
        operatorClient.DefaultRequestHeaders.Add("X-Admin-Key", AdminKey);
        await using var kit = await GrantTestKit.StartAsync(database, signed: true, sharedFlash: flash);

        // A grant for a user Flash does not know yet: Flash answers 404, the grant is dead-lettered.
        var userId = Guid.NewGuid().ToString();
        var keys = await kit.SeedGrantsAsync(userId, 1, amount: 25, prefix: "op");
        await WaitFor(async () => (await Status(factory, userId)).GetProperty("grants").GetProperty("items")[0].GetProperty("status").GetString() == "dead");

        var attention = await operatorClient.GetFromJsonAsync<JsonElement>("/internal/billing/admin/grants");
        Assert.Contains(attention.GetProperty("grants").EnumerateArray(), g => g.GetProperty("grant_key").GetString() == keys[0]);

        // The user appears in Flash; the operator requeues the grant and the running dispatcher delivers it.
        flash.AddUserWithId(userId, balance: 0);
        var requeued = await operatorClient.PostAsync(new Uri($"/internal/billing/admin/grants/{keys[0]}/requeue", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, requeued.StatusCode);
        await WaitFor(async () => (await Status(factory, userId)).GetProperty("grants").GetProperty("items")[0].GetProperty("status").GetString() == "delivered");

        Assert.Equal(1, flash.GrantCountWithDescription($"[{keys[0]}]"));
        Assert.Equal(25, flash.BalanceOf(userId));
        var again = await operatorClient.PostAsync(new Uri($"/internal/billing/admin/grants/{keys[0]}/requeue", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task OperatorRoutes_WithoutTheAdminKey_Answer403_AndUnknownKeys404()
    {
        using var factory = new BillingApiFactory(database.ConnectionString, new Dictionary<string, string?> { ["BILLING_ADMIN_KEY"] = AdminKey, ["BACKGROUND_WORKERS"] = "false" });
        var withoutAdmin = factory.CreateServiceClient();
        Assert.Equal(HttpStatusCode.Forbidden, (await withoutAdmin.GetAsync(new Uri("/internal/billing/admin/grants", UriKind.Relative))).StatusCode);

        var operatorClient = factory.CreateServiceClient();
        operatorClient.DefaultRequestHeaders.Add("X-Admin-Key", AdminKey);
        Assert.Equal(HttpStatusCode.NotFound, (await operatorClient.PostAsync(new Uri("/internal/billing/admin/grants/stripe:invoice:in_nope/requeue", UriKind.Relative), null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await operatorClient.GetAsync(new Uri("/internal/billing/admin/grants?status=bogus", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task BulkRequeue_ByStatusAndUser_RequeuesOnlyThose_AndRefusesBadInput()
    {
        await using var flash = await FlashFake.StartAsync();
        using var factory = new BillingApiFactory(database.ConnectionString, new Dictionary<string, string?> { ["BILLING_ADMIN_KEY"] = AdminKey, ["BACKGROUND_WORKERS"] = "false" });
        await using var kit = await GrantTestKit.StartAsync(database, signed: false, sharedFlash: flash);
        var alice = "bulk-alice-" + Guid.NewGuid().ToString("N");
        var bob = "bulk-bob-" + Guid.NewGuid().ToString("N");
        var aliceDead = await kit.SeedGrantsAsync(alice, 3, amount: 5, prefix: "bulkdead");
        var aliceInDoubt = await kit.SeedGrantsAsync(alice, 1, amount: 5, prefix: "bulkdoubt");
        var bobDead = await kit.SeedGrantsAsync(bob, 1, amount: 5, prefix: "bulkbob");
        await database.ScalarAsync($"UPDATE credit_grants SET status = 'dead', attempts = 7, last_error = 'x' WHERE grant_key IN ('{string.Join("','", aliceDead.Concat(bobDead))}') RETURNING 1");
        await database.ScalarAsync($"UPDATE credit_grants SET status = 'in_doubt', unconfirmed = true WHERE grant_key = '{aliceInDoubt[0]}' RETURNING 1");
        var operatorClient = factory.CreateServiceClient();
        operatorClient.DefaultRequestHeaders.Add("X-Admin-Key", AdminKey);

        var response = await operatorClient.PostAsync(new Uri($"/internal/billing/admin/grants/requeue?status=dead&userId={alice}", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(3, body.GetProperty("requeued").GetInt32());
        Assert.Equal(aliceDead.Order(StringComparer.Ordinal), body.GetProperty("grant_keys").EnumerateArray().Select(k => k.GetString()!).Order(StringComparer.Ordinal));
        Assert.Equal(0, body.GetProperty("remaining").GetInt32());

        var grants = await kit.GrantsAsync(aliceDead.Concat(aliceInDoubt).Concat(bobDead));
        Assert.All(aliceDead, k => Assert.Equal(Billing.Domain.Grants.CreditGrantStatus.Pending, grants[k].Status));
        Assert.All(aliceDead, k => Assert.Equal(0, grants[k].Attempts));
        Assert.Equal(Billing.Domain.Grants.CreditGrantStatus.InDoubt, grants[aliceInDoubt[0]].Status);
        Assert.Equal(Billing.Domain.Grants.CreditGrantStatus.Dead, grants[bobDead[0]].Status);

        Assert.Equal(HttpStatusCode.BadRequest, (await operatorClient.PostAsync(new Uri("/internal/billing/admin/grants/requeue?status=delivered", UriKind.Relative), null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await operatorClient.PostAsync(new Uri("/internal/billing/admin/grants/requeue", UriKind.Relative), null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await factory.CreateServiceClient().PostAsync(new Uri("/internal/billing/admin/grants/requeue?status=dead", UriKind.Relative), null)).StatusCode);
    }

    private static async Task<JsonElement> Status(BillingApiFactory factory, string userId) =>
        await factory.CreateServiceClient(userId).GetFromJsonAsync<JsonElement>("/internal/billing/status");

    private static async Task WaitFor(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached in time");
            await Task.Delay(50);
        }
    }
}
