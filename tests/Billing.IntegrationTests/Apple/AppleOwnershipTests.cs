using System.Net;
using Billing.Domain.Grants;
using Billing.Domain.Subscriptions;
using Billing.IntegrationTests.Infrastructure;
using Billing.TestFakes.Apple;
using static Billing.IntegrationTests.Apple.AppleTestHost;

namespace Billing.IntegrationTests.Apple;

/// <summary>Who an Apple subscription's payments belong to when the Apple account changes hands (docs/decisions/0014).</summary>
public sealed class AppleOwnershipTests(BillingDatabase database) : IClassFixture<BillingDatabase>, IDisposable
{
    private readonly AppleTestHost _host = new(database);

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task APurchaseWithAnotherUsersToken_MovesTheSubscriptionToThem_FromThatPeriodOn_AndEarlierRefundsStayWithTheFirstOwner()
    {
        var first = NewUser();
        var second = NewUser();
        var original = NewTransactionId();
        var start = DateTimeOffset.UtcNow.AddMonths(-2);
        await _host.DeliverAsync(Notification("SUBSCRIBED", "INITIAL_BUY", SubscriptionTransaction(original, original, first, start), original, DateTimeOffset.UtcNow.AddMinutes(-20)));
        await _host.DeliverAsync(Notification("EXPIRED", "VOLUNTARY", null, original, DateTimeOffset.UtcNow.AddMinutes(-15)));

        // The same Apple account resubscribes from a device signed in to another Flash user.
        var resubscribe = NewTransactionId();
        var purchase = SubscriptionTransaction(resubscribe, original, second, start.AddMonths(1).AddDays(1)) with { TransactionReason = "PURCHASE" };
        Assert.Equal(("processed", null), await _host.DeliverAsync(Notification("SUBSCRIBED", "RESUBSCRIBE", purchase, original, DateTimeOffset.UtcNow.AddMinutes(-10))));

        var subscription = await _host.SubscriptionAsync(original);
        Assert.Equal(second, subscription!.UserId.Value);
        Assert.Equal(SubscriptionStatus.Active, subscription.Status);
        Assert.Equal(100, Assert.Single(await _host.GrantsAsync(second)).Amount);
        Assert.Single(await _host.GrantsAsync(first));

        // A token-less renewal stays with the current owner.
        var renewal = NewTransactionId();
        Assert.Equal(("processed", null), await _host.DeliverAsync(Notification("DID_RENEW", null, SubscriptionTransaction(renewal, original, second, start.AddMonths(2).AddDays(1)) with { AppAccountToken = null }, original)));
        Assert.Equal(2, (await _host.GrantsAsync(second)).Count);

        // The first owner's period refunded later: its clawback is the first owner's.
        var refunded = SubscriptionTransaction(original, original, first, start) with { RevocationDate = DateTimeOffset.UtcNow.AddMinutes(-1), RevocationReason = 0 };
        Assert.Equal("processed", (await _host.DeliverAsync(Notification("REFUND", null, refunded, original))).Status);
        Assert.Contains(await _host.GrantsAsync(first), g => g.Amount == -100);
        Assert.DoesNotContain(await _host.GrantsAsync(second), g => g.Amount < 0);
    }

    [Fact]
    public async Task ARenewalCarryingAnotherUsersToken_IsNotGranted_AndGoesToTheAttentionList()
    {
        var owner = NewUser();
        var original = NewTransactionId();
        var start = DateTimeOffset.UtcNow.AddMonths(-1).AddHours(-2);
        await _host.DeliverAsync(Notification("SUBSCRIBED", "INITIAL_BUY", SubscriptionTransaction(original, original, owner, start), original));

        var stranger = NewUser();
        var renewal = NewTransactionId();
        var (status, reason) = await _host.DeliverAsync(Notification("DID_RENEW", null, SubscriptionTransaction(renewal, original, stranger, start.AddMonths(1)), original));

        Assert.Equal("ignored", status);
        Assert.Contains("on the attention list", reason, StringComparison.Ordinal);
        Assert.Empty(await _host.GrantsAsync(stranger));
        Assert.Single(await _host.GrantsAsync(owner));
        Assert.Equal(owner, (await _host.SubscriptionAsync(original))!.UserId.Value);
        Assert.Equal(1, await AttentionCountAsync(renewal));
    }

    [Fact]
    public async Task ATokenlessPurchaseNobodyOwns_IsOnTheAttentionList_UntilTheBuyersVerifyGrantsAndBindsIt()
    {
        var buyer = NewUser();
        var original = NewTransactionId();
        var start = DateTimeOffset.UtcNow.AddMonths(-1).AddHours(-2);
        var anonymous = SubscriptionTransaction(original, original, buyer, start) with { AppAccountToken = null };

        var (status, reason) = await _host.DeliverAsync(Notification("SUBSCRIBED", "INITIAL_BUY", anonymous, original));
        Assert.Equal("ignored", status);
        Assert.StartsWith("unknown user", reason, StringComparison.Ordinal);
        Assert.Contains("on the attention list", reason, StringComparison.Ordinal);
        Assert.Equal(1, await AttentionCountAsync(original));
        Assert.Null(await _host.SubscriptionAsync(original));

        var verified = await _host.VerifyOkAsync(buyer, _host.Pki.SignTransaction(anonymous));
        Assert.Equal("granted", verified.GetProperty("status").GetString());
        Assert.Equal(buyer, (await _host.SubscriptionAsync(original))!.UserId.Value);

        // Bound now: a token-less renewal finds the buyer.
        var renewal = NewTransactionId();
        Assert.Equal(("processed", null), await _host.DeliverAsync(Notification("DID_RENEW", null, SubscriptionTransaction(renewal, original, buyer, start.AddMonths(1)) with { AppAccountToken = null }, original)));
        Assert.Equal(2, (await _host.GrantsAsync(buyer)).Count(g => g.Status == CreditGrantStatus.Pending));
    }

    [Fact]
    public async Task VerifyRoute_APurchaseWithTheCallersToken_OnAnotherUsersSubscription_MovesIt_ButATokenlessOneIs409()
    {
        var owner = NewUser();
        var newcomer = NewUser();
        var original = NewTransactionId();
        var start = DateTimeOffset.UtcNow.AddMonths(-1).AddHours(-2);
        await _host.VerifyOkAsync(owner, _host.Pki.SignTransaction(SubscriptionTransaction(original, original, owner, start)));

        var tokenless = SubscriptionTransaction(NewTransactionId(), original, newcomer, start.AddMonths(1)) with { AppAccountToken = null, TransactionReason = "PURCHASE" };
        using (var refused = await _host.VerifyAsync(newcomer, _host.Pki.SignTransaction(tokenless)))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        }

        var upgrade = SubscriptionTransaction(NewTransactionId(), original, newcomer, start.AddMonths(1)) with { TransactionReason = "PURCHASE", ProductId = Creator };
        var moved = await _host.VerifyOkAsync(newcomer, _host.Pki.SignTransaction(upgrade));

        Assert.Equal("granted", moved.GetProperty("status").GetString());
        Assert.Equal(300, moved.GetProperty("credits_granted").GetInt32());
        Assert.Equal(newcomer, (await _host.SubscriptionAsync(original))!.UserId.Value);
        Assert.Single(await _host.GrantsAsync(owner));
    }

    private Task<long> AttentionCountAsync(string transactionId) =>
        _host.Database.ScalarAsync($"SELECT count(*) FROM attention_items WHERE kind = 'unattributable_apple_transaction' AND object_key = 'apple:transaction:{transactionId}'");

    private static AppleTestNotification Notification(string type, string? subtype, AppleTestTransaction? transaction, string original, DateTimeOffset? signedDate = null) => new()
    {
        NotificationType = type,
        Subtype = subtype,
        Transaction = transaction,
        RenewalInfo = RenewalInfo(original),
        SignedDate = signedDate,
    };
}
