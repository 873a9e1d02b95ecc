using Billing.Domain.Grants;
using Billing.IntegrationTests.Infrastructure;
using Billing.TestFakes.Flash;

namespace Billing.IntegrationTests.Grants;

/// <summary>History reconciliation: found / proven absent / unknown, and clawbacks against the ledger they were debited from.</summary>
public sealed class GrantReconciliationTests(BillingDatabase database) : IClassFixture<BillingDatabase>
{
    [Fact]
    public async Task AppliedGrantBeyondTheSearchedPages_IsUnknown_HeldInDoubt_NotResent()
    {
        await using var kit = await GrantTestKit.StartAsync(database, signed: true, new Dictionary<string, string?> { ["GRANT_HISTORY_PAGES"] = "1" });
        var user = kit.Flash.AddUser("ext-" + Guid.NewGuid().ToString("N"), balance: 0);
        var keys = await kit.SeedGrantsAsync(user, 1, amount: 100, prefix: "pages");
        kit.Flash.Faults.DropNextGrantsAfterApply(1);
        await kit.Dispatcher.RunOnceAsync(CancellationToken.None);

        // 150 newer ledger rows push the applied grant off the one page searched.
        for (var i = 0; i < 150; i++)
        {
            kit.Flash.AppendLedgerEntry(user, -1, "generation", $"generation {i}", DateTimeOffset.UtcNow);
        }

        await Task.Delay(300); // the settle time
        await kit.DrainAsync(TimeSpan.FromSeconds(10));

        var grant = (await kit.GrantsAsync(keys))[keys[0]];
        Assert.Equal(CreditGrantStatus.InDoubt, grant.Status);
        Assert.Contains("proves nothing", grant.LastError, StringComparison.Ordinal);
        Assert.Equal(1, kit.Flash.GrantCountWithDescription($"[{keys[0]}]"));
    }

    [Fact]
    public async Task SearchStartsAtTheFirstAttemptThatMayHaveBeenApplied_NotAtTheRowsCreation()
    {
        await using var kit = await GrantTestKit.StartAsync(database, signed: true, new Dictionary<string, string?> { ["GRANT_HISTORY_PAGES"] = "1" });
        var user = kit.Flash.AddUser("ext-" + Guid.NewGuid().ToString("N"), balance: 0);
        var keys = await kit.SeedGrantsAsync(user, 1, amount: 8, prefix: "window");
        await database.ScalarAsync($"UPDATE credit_grants SET created_at = now() - interval '3 days' WHERE grant_key = '{keys[0]}' RETURNING 1");

        // 150 rows written after the grant row was created but long before anything was sent: they cannot hide it.
        for (var i = 0; i < 150; i++)
        {
            kit.Flash.AppendLedgerEntry(user, 1, "admin_grant", $"older row {i}", DateTimeOffset.UtcNow.AddDays(-2).AddMinutes(i));
        }

        kit.Flash.Faults.FailNext(500, 1, FlashFake.AdminGrantPath); // ambiguous, not applied
        await kit.Dispatcher.RunOnceAsync(CancellationToken.None);
        await Task.Delay(300);
        await kit.DrainAsync(TimeSpan.FromSeconds(10));

        var grant = (await kit.GrantsAsync(keys))[keys[0]];
        Assert.Equal(CreditGrantStatus.Delivered, grant.Status);
        Assert.Equal(GrantConfirmation.Response, grant.DeliveredVia);
        Assert.Equal(1, kit.Flash.GrantCountWithDescription($"[{keys[0]}]"));
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    public async Task HistoryRefusedDefinitively_PutsTheGrantInDoubtWithTheReason_NotPendingForever(int status)
    {
        await using var kit = await GrantTestKit.StartAsync(database, signed: true);
        var user = kit.Flash.AddUser("ext-" + Guid.NewGuid().ToString("N"), balance: 0);
        var keys = await kit.SeedGrantsAsync(user, 1, amount: 6, prefix: $"hist{status}");
        kit.Flash.Faults.FailNext(500, 1, FlashFake.AdminGrantPath);
        await kit.Dispatcher.RunOnceAsync(CancellationToken.None);

        kit.Flash.Faults.FailNext(status, 10, FlashFake.HistoryPath);
        await Task.Delay(300);
        await kit.DrainAsync(TimeSpan.FromSeconds(10));

        var grant = (await kit.GrantsAsync(keys))[keys[0]];
        Assert.Equal(CreditGrantStatus.InDoubt, grant.Status);
        Assert.Contains($"refused ({status}", grant.LastError, StringComparison.Ordinal);
        Assert.Equal(0, kit.Flash.GrantCountWithDescription($"[{keys[0]}]"));
    }

    [Fact]
    public async Task AmbiguousClawback_IsHeldInDoubt_NeverDebitedTwice()
    {
        await using var flash = await FlashFake.StartAsync(new FlashFakeOptions { GatewaySigningSecret = "gateway-signing-secret-for-tests", CreditsApiServiceKey = "fake-service-key" });
        await using var kit = await GrantTestKit.StartAsync(database, signed: true, new Dictionary<string, string?> { ["FLASH_CREDITS_API_URL"] = flash.BaseUrl.ToString() }, sharedFlash: flash);
        var user = flash.AddUser("ext-" + Guid.NewGuid().ToString("N"), balance: 50);
        var keys = await kit.SeedGrantsAsync(user, 1, amount: -20, prefix: "clawdoubt");
        flash.Faults.FailNext(500, 1, FlashFake.CreditsSpendPath);

        await kit.Dispatcher.RunOnceAsync(CancellationToken.None);
        await Task.Delay(300);
        await kit.DrainAsync(TimeSpan.FromSeconds(10));

        var grant = (await kit.GrantsAsync(keys))[keys[0]];
        Assert.Equal(CreditGrantStatus.InDoubt, grant.Status);
        Assert.Contains("credits API", grant.LastError, StringComparison.Ordinal);
        Assert.Equal(1, flash.RequestCount(FlashFake.CreditsSpendPath));
        Assert.Equal(50, flash.BalanceOf(user));
    }
}
