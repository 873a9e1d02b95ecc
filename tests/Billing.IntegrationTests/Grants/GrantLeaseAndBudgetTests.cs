using System.Diagnostics;
using Billing.Domain.Grants;
using Billing.Infrastructure.Grants;
using Billing.IntegrationTests.Infrastructure;
using Billing.TestFakes.Flash;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Billing.IntegrationTests.Grants;

/// <summary>Leases, outcomes, shutdown, the give-up budget and recovery after an outage (docs/decisions/0007).</summary>
public sealed class GrantLeaseAndBudgetTests(BillingDatabase database) : IClassFixture<BillingDatabase>
{
    private static readonly Dictionary<string, string?> SlowFlashSettings = new()
    {
        ["FLASH_TIMEOUT_SECONDS"] = "5",
        ["GRANT_LEASE_SECONDS"] = "10",
        ["GRANT_CONCURRENCY"] = "50",
        ["GRANT_AMBIGUOUS_SETTLE_MS"] = "6000",
    };

    [Fact]
    public async Task TwoInstances_FlashAnsweringJustUnderTheTimeout_EachGrantAppliedOnce_NoneInDoubt()
    {
        await using var first = await GrantTestKit.StartAsync(database, signed: true, SlowFlashSettings);
        await using var second = await GrantTestKit.StartAsync(database, signed: true, SlowFlashSettings, sharedFlash: first.Flash);
        var user = first.Flash.AddUser("ext-" + Guid.NewGuid().ToString("N"), balance: 0);
        var keys = await first.SeedGrantsAsync(user, 200, amount: 1, prefix: "slowtwin");
        first.Flash.Faults.Delay = TimeSpan.FromSeconds(4);

        await Task.WhenAll(first.DrainAsync(TimeSpan.FromSeconds(90)), second.DrainAsync(TimeSpan.FromSeconds(90)));

        var grants = await first.GrantsAsync(keys);
        Assert.All(grants.Values, g => Assert.Equal(CreditGrantStatus.Delivered, g.Status));
        foreach (var key in keys)
        {
            Assert.Equal(1, first.Flash.GrantCountWithDescription($"[{key}]"));
        }

        Assert.Equal(200, first.Flash.BalanceOf(user));
    }

    [Fact]
    public async Task ARowChangedElsewhereDuringItsSend_OnlyThatOutcomeIsDropped_TheOthersAreSaved()
    {
        await using var kit = await GrantTestKit.StartAsync(database, signed: true, SlowFlashSettings);
        var user = kit.Flash.AddUser("ext-" + Guid.NewGuid().ToString("N"), balance: 0);
        var keys = await kit.SeedGrantsAsync(user, 5, amount: 2, prefix: "conflict");
        kit.Flash.Faults.Delay = TimeSpan.FromSeconds(1);

        var pass = kit.Dispatcher.RunOnceAsync(CancellationToken.None);
        await WaitUntil(() => kit.Flash.Requests.Count(r => r.Path == FlashFake.AdminGrantPath) >= 5 || pass.IsCompleted, TimeSpan.FromSeconds(10));
        await database.ScalarAsync($"UPDATE credit_grants SET last_error = 'touched elsewhere' WHERE grant_key = '{keys[0]}' RETURNING 1");
        await pass;

        var grants = await kit.GrantsAsync(keys);
        Assert.All(keys.Skip(1), k => Assert.Equal(CreditGrantStatus.Delivered, grants[k].Status));
        Assert.Equal(CreditGrantStatus.Pending, grants[keys[0]].Status);
        Assert.True(grants[keys[0]].AttemptInFlight, "the dropped outcome leaves the write-ahead marker, so the row is reconciled, not resent");

        // Once its lease ends the row is reconciled from history (it was applied) instead of being sent again.
        kit.Flash.Faults.Delay = TimeSpan.Zero;
        await database.ScalarAsync($"UPDATE credit_grants SET next_attempt_at = now() WHERE grant_key = '{keys[0]}' RETURNING 1");
        await kit.DrainAsync(TimeSpan.FromSeconds(10));
        var settled = (await kit.GrantsAsync(keys))[keys[0]];
        Assert.Equal(CreditGrantStatus.Delivered, settled.Status);
        Assert.Equal(GrantConfirmation.History, settled.DeliveredVia);
        Assert.All(keys, k => Assert.Equal(1, kit.Flash.GrantCountWithDescription($"[{k}]")));
    }

    [Fact]
    public async Task HostStoppingDuringSends_InFlightSendsFinishWithTheirOwnTimeout_NothingInDoubt()
    {
        // Hold mode (no history): a send cut short by the stop would be ambiguous and end in doubt.
        await using var kit = await GrantTestKit.StartAsync(database, signed: false, SlowFlashSettings);
        var user = kit.Flash.AddUser("ext-" + Guid.NewGuid().ToString("N"), balance: 0);
        var keys = await kit.SeedGrantsAsync(user, 10, amount: 3, prefix: "sigterm");
        kit.Flash.Faults.Delay = TimeSpan.FromSeconds(1.5);

        using var stopping = new CancellationTokenSource();
        var pass = kit.Dispatcher.RunOnceAsync(stopping.Token);
        await WaitUntil(() => kit.Flash.Requests.Count(r => r.Path == FlashFake.AdminGrantPath) >= 10 || pass.IsCompleted, TimeSpan.FromSeconds(10));
        await stopping.CancelAsync();
        await pass;

        var grants = await kit.GrantsAsync(keys);
        Assert.All(grants.Values, g =>
        {
            Assert.Equal(CreditGrantStatus.Delivered, g.Status);
            Assert.Equal(GrantConfirmation.Response, g.DeliveredVia);
        });
        Assert.Equal(30, kit.Flash.BalanceOf(user));

        // Stopped: nothing more is claimed.
        var more = await kit.SeedGrantsAsync(user, 1, amount: 1, prefix: "sigterm-after");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => kit.Dispatcher.RunOnceAsync(stopping.Token));
        Assert.Equal(CreditGrantStatus.Pending, (await kit.GrantsAsync(more))[more[0]].Status);
    }

    [Fact]
    public async Task HostShutdownTimeout_IsRaisedToCoverASend()
    {
        await using var flash = await FlashFake.StartAsync();
        await using var services = ServiceHost.Build(database.ConnectionString, settings: GrantTestKit.Settings(flash, null, new Dictionary<string, string?>
        {
            ["FLASH_TIMEOUT_SECONDS"] = "40",
            ["GRANT_LEASE_SECONDS"] = "60",
        }));

        Assert.True(services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout >= TimeSpan.FromSeconds(45));
    }

    [Fact]
    public void LeaseNotLongerThanTheFlashTimeout_FailsAtStartUp_NamingBothVariables()
    {
        using var flash = ServiceHost.Build(database.ConnectionString, settings: new Dictionary<string, string?>
        {
            ["MAIN_APP_INTERNAL_URL"] = "http://127.0.0.1:9/",
            ["FLASH_TIMEOUT_SECONDS"] = "5",
            ["GRANT_LEASE_SECONDS"] = "5",
        });

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => flash.GetRequiredService<GrantDeliveryOptions>());
        Assert.Contains("GRANT_LEASE_SECONDS", error.Message, StringComparison.Ordinal);
        Assert.Contains("FLASH_TIMEOUT_SECONDS", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0s")]
    [InlineData("-1d")]
    [InlineData("soon")]
    public void BadGiveUpAfter_FailsAtStartUp_NamingTheVariable(string value)
    {
        using var services = ServiceHost.Build(database.ConnectionString, settings: new Dictionary<string, string?>
        {
            ["MAIN_APP_INTERNAL_URL"] = "http://127.0.0.1:9/",
            ["GRANT_GIVE_UP_AFTER"] = value,
        });

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => services.GetRequiredService<GrantDeliveryOptions>());
        Assert.Contains("GRANT_GIVE_UP_AFTER", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GiveUpAfter_DefaultsToSevenDays_AndReadsUnits()
    {
        using var defaults = ServiceHost.Build(database.ConnectionString, settings: new Dictionary<string, string?> { ["MAIN_APP_INTERNAL_URL"] = "http://127.0.0.1:9/" });
        Assert.Equal(TimeSpan.FromDays(7), defaults.GetRequiredService<GrantDeliveryOptions>().GiveUpAfter);

        using var hours = ServiceHost.Build(database.ConnectionString, settings: new Dictionary<string, string?> { ["MAIN_APP_INTERNAL_URL"] = "http://127.0.0.1:9/", ["GRANT_GIVE_UP_AFTER"] = "36h" });
        Assert.Equal(TimeSpan.FromHours(36), hours.GetRequiredService<GrantDeliveryOptions>().GiveUpAfter);
    }

    [Fact]
    public async Task AttemptsNeverSent_DoNotCountTowardTheBudget_TheGrantIsDeliveredWhenFlashIsBack()
    {
        // GRANT_MAX_ATTEMPTS=1 used to dead-letter a grant after one refused connection; it is ignored now.
        await using var kit = await GrantTestKit.StartAsync(database, signed: true, new Dictionary<string, string?>
        {
            ["GRANT_MAX_ATTEMPTS"] = "1",
            ["GRANT_GIVE_UP_AFTER"] = "1s",
        });
        var user = kit.Flash.AddUser("ext-" + Guid.NewGuid().ToString("N"), balance: 0);
        var keys = await kit.SeedGrantsAsync(user, 3, amount: 4, prefix: "notsent");
        await kit.Flash.StopListeningAsync();

        var until = DateTime.UtcNow.AddSeconds(2.5);
        while (DateTime.UtcNow < until)
        {
            await kit.Dispatcher.RunOnceAsync(CancellationToken.None);
            await Task.Delay(100);
        }

        var waiting = await kit.GrantsAsync(keys);
        Assert.All(waiting.Values, g =>
        {
            Assert.Equal(CreditGrantStatus.Pending, g.Status);
            Assert.Null(g.FailingSince);
        });

        await kit.Flash.StartListeningAsync();
        await kit.DrainAsync(TimeSpan.FromSeconds(20));
        Assert.All((await kit.GrantsAsync(keys)).Values, g => Assert.Equal(CreditGrantStatus.Delivered, g.Status));
        Assert.Equal(12, kit.Flash.BalanceOf(user));
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    public async Task FlashRefusingOurCredentials_IsRetriedWithBackoff_AndDeadOnlyWhenTheBudgetRunsOut(int status)
    {
        await using var kit = await GrantTestKit.StartAsync(database, signed: true, new Dictionary<string, string?> { ["GRANT_GIVE_UP_AFTER"] = "2s" });
        var user = kit.Flash.AddUser("ext-" + Guid.NewGuid().ToString("N"), balance: 0);
        var keys = await kit.SeedGrantsAsync(user, 1, amount: 9, prefix: $"cfg{status}");
        kit.Flash.Faults.FailNext(status, 10_000, FlashFake.AdminGrantPath);

        await kit.Dispatcher.RunOnceAsync(CancellationToken.None);
        var afterFirst = (await kit.GrantsAsync(keys))[keys[0]];
        Assert.Equal(CreditGrantStatus.Pending, afterFirst.Status);
        Assert.Contains("configuration error", afterFirst.LastError, StringComparison.Ordinal);
        Assert.NotNull(afterFirst.FailingSince);

        await kit.DrainAsync(TimeSpan.FromSeconds(20));
        var grant = (await kit.GrantsAsync(keys))[keys[0]];
        Assert.Equal(CreditGrantStatus.Dead, grant.Status);
        Assert.Contains("gave up", grant.LastError, StringComparison.Ordinal);
        Assert.True(kit.Flash.RequestCount(FlashFake.AdminGrantPath) >= 2, "retried before giving up");
        Assert.Equal(0, kit.Flash.BalanceOf(user));
    }

    [Fact]
    public async Task AfterAnOutage_AGrantCreatedWhileTheBreakerWasOpen_IsDeliveredWithinThreeSecondsOfFlashAnswering()
    {
        await using var kit = await GrantTestKit.StartAsync(database, signed: true, new Dictionary<string, string?>
        {
            ["FLASH_CIRCUIT_BREAK_SECONDS"] = "30",
            ["FLASH_CIRCUIT_MIN_THROUGHPUT"] = "2",
            ["GRANT_RETRY_BASE_MS"] = "1000",
            ["GRANT_RETRY_MAX_SECONDS"] = "300",
            ["GRANT_POLL_INTERVAL_MS"] = "1000",
        });
        var user = kit.Flash.AddUser("ext-" + Guid.NewGuid().ToString("N"), balance: 0);
        var service = ActivatorUtilities.CreateInstance<GrantDispatcherService>(kit.Services);
        await service.StartAsync(CancellationToken.None);
        try
        {
            await kit.Flash.StopListeningAsync();
            var early = await kit.SeedGrantsAsync(user, 5, amount: 1, prefix: "outage-early");
            await Task.Delay(TimeSpan.FromSeconds(4)); // refused attempts open the breaker
            var during = await kit.SeedGrantsAsync(user, 5, amount: 1, prefix: "outage-during");
            await Task.Delay(TimeSpan.FromSeconds(2));
            var keys = early.Concat(during).ToList();
            Assert.Equal(0, kit.Flash.RequestCount(FlashFake.AdminGrantPath));

            await kit.Flash.StartListeningAsync();
            var back = Stopwatch.StartNew();
            await WaitUntil(() => keys.All(k => kit.Flash.GrantCountWithDescription($"[{k}]") == 1), TimeSpan.FromSeconds(20));
            var recovery = back.Elapsed;

            Assert.True(recovery <= TimeSpan.FromSeconds(3), $"delivered {recovery.TotalSeconds:0.0} s after Flash answered again");
            Assert.Equal(10, kit.Flash.BalanceOf(user));
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    private static async Task WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached in time");
            await Task.Delay(20);
        }
    }
}
