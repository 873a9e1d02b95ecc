using System.Net;
using Billing.IntegrationTests.Grants;
using Billing.IntegrationTests.Infrastructure;
using Billing.TestFakes.Apple;
using Billing.TestFakes.Flash;
using static Billing.IntegrationTests.Apple.AppleTestHost;

namespace Billing.IntegrationTests.Apple;

/// <summary>
/// The whole path with the background workers running: an Apple purchase (verify route) and an App Store notification
/// (webhook → inbox processor) each end as exactly one grant applied in the Flash fake over loopback HTTP.
/// </summary>
public sealed class AppleEndToEndTests(BillingDatabase database) : IClassFixture<BillingDatabase>, IAsyncLifetime
{
    private FlashFake _flash = null!;
    private AppleTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _flash = await FlashFake.StartAsync();
        var settings = GrantTestKit.Settings(_flash, signingSecret: null);
        settings["BACKGROUND_WORKERS"] = "true";
        settings["INBOX_POLL_INTERVAL_MS"] = "100";
        _host = new AppleTestHost(database, settings);
    }

    public async Task DisposeAsync()
    {
        _host.Dispose();
        await _flash.DisposeAsync();
    }

    [Fact]
    public async Task VerifiedPackAndSubscribedNotification_AreEachAppliedInFlashOnce()
    {
        var user = _flash.AddUser("ext-" + Guid.NewGuid().ToString("N"), balance: 0);
        var packTransaction = new AppleTestTransaction { TransactionId = NewTransactionId(), ProductId = "com.timepoint.flash.credits.50", AppAccountToken = Guid.Parse(user) };
        await _host.VerifyOkAsync(user, _host.Pki.SignTransaction(packTransaction));
        await _host.VerifyOkAsync(user, _host.Pki.SignTransaction(packTransaction));

        var original = NewTransactionId();
        var subscribed = new AppleTestNotification
        {
            NotificationType = "SUBSCRIBED",
            Subtype = "INITIAL_BUY",
            Transaction = SubscriptionTransaction(original, original, user),
            RenewalInfo = RenewalInfo(original),
        };
        var jws = _host.Pki.SignNotification(subscribed);
        using (var first = await _host.PostNotificationAsync(jws))
        using (var retry = await _host.PostNotificationAsync(jws))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && _flash.TotalGranted(user) < 150)
        {
            await Task.Delay(100);
        }

        await Task.Delay(300); // anything extra would show up now
        Assert.Equal(150, _flash.TotalGranted(user));
        Assert.Equal(150, _flash.BalanceOf(user));
        var grants = _flash.Grants.Where(g => g.UserId == user).ToList();
        Assert.Equal(2, grants.Count);
        Assert.Contains(grants, g => g.TransactionType == "apple_iap" && g.Amount == 50 && g.Description!.Contains($"[apple:transaction:{packTransaction.TransactionId}]", StringComparison.Ordinal));
        Assert.Contains(grants, g => g.TransactionType == "subscription_grant" && g.Amount == 100 && g.Description!.Contains($"[apple:transaction:{original}]", StringComparison.Ordinal));
        Assert.Equal(0, await database.ScalarAsync($"SELECT count(*) FROM credit_grants WHERE user_id = '{user}' AND status <> 'delivered'"));
    }
}
