using Billing.Domain.Common;
using Billing.IntegrationTests.Infrastructure;
using Billing.TestFakes.Apple;
using static Billing.IntegrationTests.Apple.AppleTestHost;

namespace Billing.IntegrationTests.Apple;

/// <summary>An Apple period's credits come from the transaction that paid it (docs/decisions/0013).</summary>
public sealed class AppleCreditsFollowTheMoneyTests(BillingDatabase database) : IClassFixture<BillingDatabase>, IDisposable
{
    private readonly AppleTestHost _host = new(database);

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task ALateTransactionForAnOlderPeriod_GrantsItsOwnProduct_NotTheCurrentTier()
    {
        var user = NewUser();
        var original = NewTransactionId();
        var now = DateTimeOffset.UtcNow;
        await _host.DeliverAsync(Notification("SUBSCRIBED", "INITIAL_BUY", SubscriptionTransaction(original, original, user, now.AddDays(-3), Creator), original, Creator));

        var older = NewTransactionId();
        var late = SubscriptionTransaction(older, original, user, now.AddDays(-3).AddMonths(-1), Explorer) with { TransactionReason = "RENEWAL" };
        Assert.Equal(("processed", null), await _host.DeliverAsync(Notification("DID_RENEW", null, late, original, Creator)));

        Assert.Equal(100, Assert.Single(await _host.GrantsAsync(user), g => g.GrantKey == GrantKey.ForAppleTransaction(older)).Amount);
    }

    [Fact]
    public async Task AFreeTrial_RecordsThePeriod_AndGrantsNothing_ThenThePaidRenewalGrants()
    {
        var user = NewUser();
        var original = NewTransactionId();
        var start = DateTimeOffset.UtcNow.AddMonths(-1).AddHours(-2);
        var trial = SubscriptionTransaction(original, original, user, start) with { OfferType = 1, OfferDiscountType = "FREE_TRIAL", Price = 0 };

        Assert.Equal(("processed", null), await _host.DeliverAsync(Notification("SUBSCRIBED", "INITIAL_BUY", trial, original)));
        Assert.Empty(await _host.GrantsAsync(user));
        Assert.Equal(0, Assert.Single((await _host.SubscriptionAsync(original))!.PaidPeriods).CreditsGranted);

        var paid = NewTransactionId();
        Assert.Equal(("processed", null), await _host.DeliverAsync(Notification("DID_RENEW", null, SubscriptionTransaction(paid, original, user, start.AddMonths(1)), original)));
        Assert.Equal(100, Assert.Single(await _host.GrantsAsync(user)).Amount);
    }

    [Fact]
    public async Task APaidIntroductoryOffer_GrantsTheTiersCredits()
    {
        var user = NewUser();
        var original = NewTransactionId();
        var intro = SubscriptionTransaction(original, original, user) with { OfferType = 1, OfferDiscountType = "PAY_AS_YOU_GO", Price = 990 };

        await _host.DeliverAsync(Notification("SUBSCRIBED", "INITIAL_BUY", intro, original));

        Assert.Equal(100, Assert.Single(await _host.GrantsAsync(user)).Amount);
    }

    [Fact]
    public async Task AnUpgrade_GrantsTheNewTier_AndClawsBackTheUnusedShareOfTheReplacedPeriod()
    {
        var user = NewUser();
        var original = NewTransactionId();
        var start = DateTimeOffset.UtcNow.AddDays(-10);
        await _host.DeliverAsync(Notification("SUBSCRIBED", "INITIAL_BUY", SubscriptionTransaction(original, original, user, start), original, signedDate: DateTimeOffset.UtcNow.AddMinutes(-5)));

        var upgrade = NewTransactionId();
        var upgradedAt = DateTimeOffset.UtcNow.AddDays(-1);
        var transaction = SubscriptionTransaction(upgrade, original, user, upgradedAt, Creator) with { TransactionReason = "PURCHASE" };
        Assert.Equal(("processed", null), await _host.DeliverAsync(Notification("DID_CHANGE_RENEWAL_PREF", "UPGRADE", transaction, original, Creator)));
        // Apple's redelivery (or the verify route) of the same upgrade claws back nothing more.
        Assert.Equal("processed", (await _host.DeliverAsync(Notification("DID_CHANGE_RENEWAL_PREF", "UPGRADE", transaction, original, Creator))).Status);

        var grants = await _host.GrantsAsync(user);
        Assert.Equal(300, Assert.Single(grants, g => g.GrantKey == GrantKey.ForAppleTransaction(upgrade)).Amount);
        var clawback = Assert.Single(grants, g => g.Amount < 0);
        Assert.Equal(GrantKey.ForAppleUpgrade(upgrade), clawback.GrantKey);
        var end = start.AddMonths(1);
        var expected = (int)Math.Floor(100 * (end - upgradedAt).Ticks / (double)(end - start).Ticks);
        Assert.InRange(-clawback.Amount, expected - 1, expected); // millisecond rounding of the signed dates
        Assert.Equal(3, grants.Count);
    }

    [Fact]
    public async Task ATransactionAnUpgradeAlreadyReplaced_SeenForTheFirstTime_GrantsNothing()
    {
        var user = NewUser();
        var original = NewTransactionId();
        var replaced = SubscriptionTransaction(original, original, user) with { IsUpgraded = true };

        Assert.Equal(("processed", null), await _host.DeliverAsync(Notification("SUBSCRIBED", "INITIAL_BUY", replaced, original)));

        Assert.Empty(await _host.GrantsAsync(user));
    }

    private static AppleTestNotification Notification(string type, string? subtype, AppleTestTransaction transaction, string original, string productId = Explorer, DateTimeOffset? signedDate = null) => new()
    {
        NotificationType = type,
        Subtype = subtype,
        Transaction = transaction,
        RenewalInfo = RenewalInfo(original, productId),
        SignedDate = signedDate,
    };
}
