using Billing.Domain.Grants;
using Billing.IntegrationTests.Infrastructure;
using Billing.TestFakes.Flash;

namespace Billing.IntegrationTests.Grants;

public sealed class GrantDispatcherTests(BillingDatabase database) : IClassFixture<BillingDatabase>
{
    [Fact]
    public async Task AThousandGrants_WithFlashDownForAStretch_AreEachDeliveredExactlyOnce()
    {
        await using var kit = await GrantTestKit.StartAsync(database, signed: true);
        var users = Enumerable.Range(0, 20).Select(i => kit.Flash.AddUser($"ext-{i}-{Guid.NewGuid():N}", balance: 0)).ToList();
        var keys = new List<string>();
        foreach (var user in users)
        {
            keys.AddRange(await kit.SeedGrantsAsync(user, 50, amount: 7, prefix: "outage"));
        }

        await kit.Flash.StopListeningAsync(); // connection refused: Flash is down
        for (var pass = 0; pass < 3; pass++)
        {
            await kit.Dispatcher.RunOnceAsync(CancellationToken.None);
        }

        Assert.Empty(kit.Flash.Grants);
        Assert.Equal(0, await database.ScalarAsync($"SELECT count(*) FROM credit_grants WHERE status = 'delivered' AND grant_key LIKE 'outage:%'"));

        await kit.Flash.StartListeningAsync();
        await kit.DrainAsync(TimeSpan.FromSeconds(60));

        var grants = await kit.GrantsAsync(keys);
        Assert.All(grants.Values, g => Assert.Equal(CreditGrantStatus.Delivered, g.Status));
        foreach (var key in keys)
        {
            Assert.Equal(1, kit.Flash.GrantCountWithDescription($"[{key}]"));
        }

        Assert.Equal(1000, kit.Flash.Grants.Count(g => g.Description?.Contains("[outage:", StringComparison.Ordinal) == true));
        Assert.All(users, u => Assert.Equal(350, kit.Flash.BalanceOf(u)));
    }

    [Fact]
    public async Task FlashAppliesAGrantThenTheConnectionDrops_SignedMode_FindsItInHistoryAndNeverResends()
    {
        await using var kit = await GrantTestKit.StartAsync(database, signed: true);
        var user = kit.Flash.AddUser("ext-" + Guid.NewGuid().ToString("N"), balance: 0);
        var keys = await kit.SeedGrantsAsync(user, 1, amount: 100);
        kit.Flash.Faults.DropNextGrantsAfterApply(1);

        await kit.Dispatcher.RunOnceAsync(CancellationToken.None);
        var afterDrop = (await kit.GrantsAsync(keys))[keys[0]];
        Assert.Equal(CreditGrantStatus.Pending, afterDrop.Status);
        Assert.True(afterDrop.Unconfirmed);

        await Task.Delay(300); // the settle time
        await kit.DrainAsync(TimeSpan.FromSeconds(10));

        var grant = (await kit.GrantsAsync(keys))[keys[0]];
        Assert.Equal(CreditGrantStatus.Delivered, grant.Status);
        Assert.Equal(GrantConfirmation.History, grant.DeliveredVia);
        Assert.Equal(1, kit.Flash.GrantCountWithDescription($"[{keys[0]}]"));
        Assert.Equal(100, kit.Flash.BalanceOf(user));
    }

    [Fact]
    public async Task FlashDropsTheConnectionBeforeApplying_SignedMode_HistoryShowsNothingAndItIsSentOnce()
    {
        await using var kit = await GrantTestKit.StartAsync(database, signed: true);
        var user = kit.Flash.AddUser("ext-" + Guid.NewGuid().ToString("N"), balance: 0);
        var keys = await kit.SeedGrantsAsync(user, 1, amount: 40);
        kit.Flash.Faults.DropNextGrantsBeforeApply(1);

        await kit.Dispatcher.RunOnceAsync(CancellationToken.None);
        await Task.Delay(300);
        await kit.DrainAsync(TimeSpan.FromSeconds(10));

        var grant = (await kit.GrantsAsync(keys))[keys[0]];
        Assert.Equal(CreditGrantStatus.Delivered, grant.Status);
        Assert.Equal(GrantConfirmation.Response, grant.DeliveredVia);
        Assert.Equal(1, kit.Flash.GrantCountWithDescription($"[{keys[0]}]"));
        Assert.Equal(40, kit.Flash.BalanceOf(user));
    }

    [Fact]
    public async Task FlashAppliesAGrantThenTheConnectionDrops_LegacyMode_IsHeldInDoubtAndNotResent()
    {
        await using var kit = await GrantTestKit.StartAsync(database, signed: false);
        var user = kit.Flash.AddUser("ext-" + Guid.NewGuid().ToString("N"), balance: 0);
        var keys = await kit.SeedGrantsAsync(user, 1, amount: 100);
        kit.Flash.Faults.DropNextGrantsAfterApply(1);

        await kit.Dispatcher.RunOnceAsync(CancellationToken.None);
        await Task.Delay(300);
        await kit.DrainAsync(TimeSpan.FromSeconds(10));

        var grant = (await kit.GrantsAsync(keys))[keys[0]];
        Assert.Equal(CreditGrantStatus.InDoubt, grant.Status);
        Assert.Contains("cannot be read", grant.LastError, StringComparison.Ordinal);
        Assert.Equal(1, kit.Flash.GrantCountWithDescription($"[{keys[0]}]"));
    }

    [Fact]
    public async Task AmbiguousAttempt_LegacyModeWithResendPolicy_IsSentAgain()
    {
        await using var kit = await GrantTestKit.StartAsync(database, signed: false, new Dictionary<string, string?> { ["GRANT_AMBIGUOUS_POLICY"] = "resend" });
        var user = kit.Flash.AddUser("ext-" + Guid.NewGuid().ToString("N"), balance: 0);
        var keys = await kit.SeedGrantsAsync(user, 1, amount: 5);
        kit.Flash.Faults.DropNextGrantsBeforeApply(1);

        await kit.Dispatcher.RunOnceAsync(CancellationToken.None);
        await Task.Delay(300);
        await kit.DrainAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(CreditGrantStatus.Delivered, (await kit.GrantsAsync(keys))[keys[0]].Status);
        Assert.Equal(1, kit.Flash.GrantCountWithDescription($"[{keys[0]}]"));
    }

    [Fact]
    public async Task TwoDispatcherInstances_OnTheSameDatabase_NeverSendARowTwice()
    {
        await using var first = await GrantTestKit.StartAsync(database, signed: true);
        await using var second = await GrantTestKit.StartAsync(database, signed: true, sharedFlash: first.Flash);
        first.Flash.Faults.Latency = TimeSpan.FromMilliseconds(3);
        var user = first.Flash.AddUser("ext-" + Guid.NewGuid().ToString("N"), balance: 0);
        var keys = await first.SeedGrantsAsync(user, 400, amount: 1, prefix: "twin");

        await Task.WhenAll(first.DrainAsync(TimeSpan.FromSeconds(60)), second.DrainAsync(TimeSpan.FromSeconds(60)));

        Assert.All((await first.GrantsAsync(keys)).Values, g => Assert.Equal(CreditGrantStatus.Delivered, g.Status));
        Assert.Equal(400, first.Flash.Grants.Count(g => g.UserId == user));
        Assert.Equal(400, first.Flash.BalanceOf(user));
    }

    [Fact]
    public async Task ProcessStoppedMidDelivery_AfterFlashApplied_IsReconciledFromHistoryOnRestart_NotDoubled()
    {
        await using var kit = await GrantTestKit.StartAsync(database, signed: true);
        var user = kit.Flash.AddUser("ext-" + Guid.NewGuid().ToString("N"), balance: 0);
        var keys = await kit.SeedGrantsAsync(user, 3, amount: 10, prefix: "crash");

        // The process dies after claiming (the write-ahead attempt is committed) and after Flash applied one grant,
        // before any outcome was recorded: simulate by leaving rows in flight and applying one directly at Flash.
        await database.ScalarAsync($"UPDATE credit_grants SET attempts = 1, attempt_in_flight = true, next_attempt_at = now() - interval '1 second' WHERE grant_key IN ('{string.Join("','", keys)}') RETURNING 1");
        await ApplyDirectlyAtFlash(kit.Flash, user, 10, keys[0]);

        await kit.DrainAsync(TimeSpan.FromSeconds(10)); // "restarted" dispatcher

        var grants = await kit.GrantsAsync(keys);
        Assert.All(grants.Values, g => Assert.Equal(CreditGrantStatus.Delivered, g.Status));
        Assert.Equal(GrantConfirmation.History, grants[keys[0]].DeliveredVia);
        foreach (var key in keys)
        {
            Assert.Equal(1, kit.Flash.GrantCountWithDescription($"[{key}]"));
        }

        Assert.Equal(30, kit.Flash.BalanceOf(user));
    }

    [Fact]
    public async Task ProcessStoppedMidDelivery_LegacyMode_RecordsTheUncertaintyInsteadOfResending()
    {
        await using var kit = await GrantTestKit.StartAsync(database, signed: false);
        var user = kit.Flash.AddUser("ext-" + Guid.NewGuid().ToString("N"), balance: 0);
        var keys = await kit.SeedGrantsAsync(user, 1, amount: 10, prefix: "crashlegacy");
        await database.ScalarAsync($"UPDATE credit_grants SET attempts = 1, attempt_in_flight = true, next_attempt_at = now() - interval '1 second' WHERE grant_key = '{keys[0]}' RETURNING 1");

        await kit.DrainAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(CreditGrantStatus.InDoubt, (await kit.GrantsAsync(keys))[keys[0]].Status);
        Assert.Equal(0, kit.Flash.GrantCountWithDescription($"[{keys[0]}]"));
    }

    [Fact]
    public async Task GrantForAUserFlashDoesNotKnow_IsDeadLettered_NotRetriedForever()
    {
        await using var kit = await GrantTestKit.StartAsync(database, signed: true);
        var keys = await kit.SeedGrantsAsync("no-such-user-" + Guid.NewGuid().ToString("N"), 1, amount: 10, prefix: "dead");

        await kit.DrainAsync(TimeSpan.FromSeconds(5));

        var grant = (await kit.GrantsAsync(keys))[keys[0]];
        Assert.Equal(CreditGrantStatus.Dead, grant.Status);
        Assert.Contains("404", grant.LastError, StringComparison.Ordinal);
        Assert.Equal(1, kit.Flash.RequestCount("/api/v1/credits/admin/grant"));
    }

    [Fact]
    public async Task Clawback_WithoutADebitRoute_IsRecordedAsOwedDebt_NeverSentAsAGrant()
    {
        await using var kit = await GrantTestKit.StartAsync(database, signed: true);
        var user = kit.Flash.AddUser("ext-" + Guid.NewGuid().ToString("N"), balance: 50);
        var keys = await kit.SeedGrantsAsync(user, 1, amount: -20, prefix: "claw");

        await kit.DrainAsync(TimeSpan.FromSeconds(5));

        var grant = (await kit.GrantsAsync(keys))[keys[0]];
        Assert.Equal(CreditGrantStatus.OwedDebt, grant.Status);
        Assert.Equal(0, kit.Flash.RequestCount("/api/v1/credits/admin/grant"));
        Assert.Equal(50, kit.Flash.BalanceOf(user));
    }

    [Fact]
    public async Task Clawback_WithTheCreditsApi_DebitsTheUser_AndAShortfallBecomesOwedDebt()
    {
        await using var flash = await FlashFake.StartAsync(new FlashFakeOptions { GatewaySigningSecret = "gateway-signing-secret-for-tests", CreditsApiServiceKey = "fake-service-key" });
        await using var kit = await GrantTestKit.StartAsync(database, signed: true, new Dictionary<string, string?> { ["FLASH_CREDITS_API_URL"] = flash.BaseUrl.ToString() }, sharedFlash: flash);
        var rich = flash.AddUser("ext-" + Guid.NewGuid().ToString("N"), balance: 50);
        var poor = flash.AddUser("ext-" + Guid.NewGuid().ToString("N"), balance: 5);
        var richKeys = await kit.SeedGrantsAsync(rich, 1, amount: -20, prefix: "clawrich");
        var poorKeys = await kit.SeedGrantsAsync(poor, 1, amount: -20, prefix: "clawpoor");

        await kit.DrainAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(CreditGrantStatus.Delivered, (await kit.GrantsAsync(richKeys))[richKeys[0]].Status);
        Assert.Equal(30, flash.BalanceOf(rich));
        Assert.Equal(CreditGrantStatus.OwedDebt, (await kit.GrantsAsync(poorKeys))[poorKeys[0]].Status);
        Assert.Equal(5, flash.BalanceOf(poor));
    }

    [Fact]
    public async Task Flash500_IsAmbiguous_ThenReconciled_AndDeliveredOnce()
    {
        await using var kit = await GrantTestKit.StartAsync(database, signed: true);
        var user = kit.Flash.AddUser("ext-" + Guid.NewGuid().ToString("N"), balance: 0);
        var keys = await kit.SeedGrantsAsync(user, 5, amount: 3, prefix: "five");
        kit.Flash.Faults.FailNext(500, 5, "/api/v1/credits/admin/grant");

        await kit.Dispatcher.RunOnceAsync(CancellationToken.None);
        await Task.Delay(300);
        await kit.DrainAsync(TimeSpan.FromSeconds(10));

        Assert.All((await kit.GrantsAsync(keys)).Values, g => Assert.Equal(CreditGrantStatus.Delivered, g.Status));
        Assert.Equal(15, kit.Flash.BalanceOf(user));
    }

    private static async Task ApplyDirectlyAtFlash(FlashFake flash, string userId, int amount, string key)
    {
        using var client = new HttpClient { BaseAddress = flash.BaseUrl };
        client.DefaultRequestHeaders.Add("X-Service-Key", "fake-service-key");
        client.DefaultRequestHeaders.Add("X-Admin-Key", "fake-admin-key");
        var response = await client.PostAsync(
            new Uri("/api/v1/credits/admin/grant", UriKind.Relative),
            System.Net.Http.Json.JsonContent.Create(new { user_id = userId, amount, transaction_type = "stripe_purchase", description = $"Test grant of {amount} [{key}]" }));
        response.EnsureSuccessStatusCode();
    }
}
