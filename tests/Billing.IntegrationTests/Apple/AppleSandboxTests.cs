using System.Net.Http.Json;
using System.Text.Json;
using Billing.IntegrationTests.Infrastructure;
using Billing.TestFakes.Apple;
using static Billing.IntegrationTests.Apple.AppleTestHost;

namespace Billing.IntegrationTests.Apple;

/// <summary>
/// Sandbox money is not real money (docs/decisions/0010): a Production service that accepts Sandbox data for App Review grants
/// it only to APPLE_SANDBOX_USERS, within APPLE_SANDBOX_MAX_CREDITS_PER_DAY; everything else is recorded, answered and not granted.
/// </summary>
public sealed class AppleSandboxTests(BillingDatabase database) : IClassFixture<BillingDatabase>, IDisposable
{
    private static readonly string Reviewer = NewUser();
    private static readonly string CappedReviewer = NewUser();

    private readonly AppleTestHost _host = new(database, new Dictionary<string, string?>
    {
        ["APPLE_ALLOW_SANDBOX"] = "true",
        ["APPLE_SANDBOX_USERS"] = $" {Reviewer} ,{CappedReviewer}",
        ["APPLE_SANDBOX_MAX_CREDITS_PER_DAY"] = "120",
    });

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task VerifyRoute_SandboxPackOfAnOrdinaryUser_IsRecordedWithItsEnvironment_Answered200_AndGrantsNothing()
    {
        var user = NewUser();
        var transaction = Sandbox(new AppleTestTransaction { TransactionId = NewTransactionId(), ProductId = "com.timepoint.flash.credits.50", AppAccountToken = Guid.Parse(user) });

        var body = await _host.VerifyOkAsync(user, _host.Pki.SignTransaction(transaction));

        Assert.Equal("sandbox_not_granted", body.GetProperty("status").GetString());
        Assert.Equal(0, body.GetProperty("credits_granted").GetInt32());
        Assert.Equal("Sandbox", body.GetProperty("environment").GetString());
        Assert.Contains("APPLE_SANDBOX_USERS", body.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Empty(await _host.GrantsAsync(user));
        var purchase = Assert.Single(await _host.PurchasesAsync(user));
        Assert.Equal("Sandbox", purchase.Environment);
        Assert.Equal(1, await _host.Database.ScalarAsync($"SELECT count(*) FROM attention_items WHERE kind = 'sandbox_not_granted' AND object_key = 'apple:transaction:{transaction.TransactionId}'"));

        var again = await _host.VerifyOkAsync(user, _host.Pki.SignTransaction(transaction));
        Assert.Equal("sandbox_not_granted", again.GetProperty("status").GetString());
        Assert.True(again.GetProperty("already_processed").GetBoolean());
        Assert.Empty(await _host.GrantsAsync(user));

        var status = await StatusAsync(user);
        Assert.Equal("Sandbox", status.GetProperty("purchases")[0].GetProperty("environment").GetString());
    }

    [Fact]
    public async Task VerifyRoute_ProductionPack_StillGrants_AndShowsItsEnvironment()
    {
        var user = NewUser();
        var transaction = new AppleTestTransaction { TransactionId = NewTransactionId(), AppAccountToken = Guid.Parse(user) };

        var body = await _host.VerifyOkAsync(user, _host.Pki.SignTransaction(transaction));

        Assert.Equal("granted", body.GetProperty("status").GetString());
        Assert.Equal("Production", body.GetProperty("environment").GetString());
        var grant = Assert.Single(await _host.GrantsAsync(user));
        Assert.Equal("Production", grant.Environment);
    }

    [Fact]
    public async Task VerifyRoute_SandboxPackOfAnAppReviewUser_Grants_UpToTheDailyCap()
    {
        var first = await _host.VerifyOkAsync(CappedReviewer, _host.Pki.SignTransaction(SandboxPack(CappedReviewer, "com.timepoint.flash.credits.50")));
        var second = await _host.VerifyOkAsync(CappedReviewer, _host.Pki.SignTransaction(SandboxPack(CappedReviewer, "com.timepoint.flash.credits.50")));
        var third = await _host.VerifyOkAsync(CappedReviewer, _host.Pki.SignTransaction(SandboxPack(CappedReviewer, "com.timepoint.flash.credits.50")));
        var small = await _host.VerifyOkAsync(CappedReviewer, _host.Pki.SignTransaction(SandboxPack(CappedReviewer, "com.timepoint.flash.credits.10")));

        Assert.Equal("granted", first.GetProperty("status").GetString());
        Assert.Equal("granted", second.GetProperty("status").GetString());
        Assert.Equal("sandbox_not_granted", third.GetProperty("status").GetString()); // 100 + 50 > 120
        Assert.Contains("APPLE_SANDBOX_MAX_CREDITS_PER_DAY", third.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal("granted", small.GetProperty("status").GetString()); // 100 + 10 <= 120
        var grants = await _host.GrantsAsync(CappedReviewer);
        Assert.Equal(110, grants.Sum(g => g.Amount));
        Assert.All(grants, g => Assert.Equal("Sandbox", g.Environment));
    }

    [Fact]
    public async Task SandboxNotifications_AreRecordedAndAcknowledged_WithoutAGrant_UnlessTheUserIsAnAppReviewer()
    {
        var user = NewUser();
        var original = NewTransactionId();
        var subscribed = SandboxNotification("SUBSCRIBED", SubscriptionTransaction(original, original, user) with { Environment = "Sandbox" }, original);

        using (var response = await _host.PostNotificationAsync(_host.Pki.SignNotification(subscribed)))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        }

        var (status, reason) = await _host.ProcessAsync(subscribed.NotificationUuid);
        Assert.Equal("ignored", status);
        Assert.StartsWith("sandbox_not_granted", reason, StringComparison.Ordinal);
        var subscription = await _host.SubscriptionAsync(original);
        Assert.NotNull(subscription);
        Assert.Equal("Sandbox", subscription.Environment);
        Assert.Equal(0, Assert.Single(subscription.PaidPeriods).CreditsGranted);
        Assert.Empty(await _host.GrantsAsync(user));
        var statusBody = await StatusAsync(user);
        Assert.Equal("Sandbox", statusBody.GetProperty("subscriptions")[0].GetProperty("environment").GetString());

        var reviewerOriginal = NewTransactionId();
        var reviewer = SandboxNotification("SUBSCRIBED", SubscriptionTransaction(reviewerOriginal, reviewerOriginal, Reviewer) with { Environment = "Sandbox" }, reviewerOriginal);
        Assert.Equal(("processed", null), await _host.DeliverAsync(reviewer));
        var grant = Assert.Single(await _host.GrantsAsync(Reviewer), g => g.GrantKey.Value == $"apple:transaction:{reviewerOriginal}");
        Assert.Equal(100, grant.Amount);
        Assert.Equal("Sandbox", grant.Environment);

        var charge = SandboxNotification("ONE_TIME_CHARGE", Sandbox(new AppleTestTransaction { TransactionId = NewTransactionId(), AppAccountToken = Guid.Parse(user) }), null);
        var (chargeStatus, chargeReason) = await _host.DeliverAsync(charge);
        Assert.Equal("ignored", chargeStatus);
        Assert.StartsWith("sandbox_not_granted", chargeReason, StringComparison.Ordinal);
        Assert.Empty(await _host.GrantsAsync(user));
    }

    private async Task<JsonElement> StatusAsync(string user)
    {
        using var client = _host.Factory.CreateServiceClient(user);
        return await client.GetFromJsonAsync<JsonElement>("/internal/billing/status");
    }

    private static AppleTestTransaction Sandbox(AppleTestTransaction transaction) => transaction with { Environment = "Sandbox" };

    private static AppleTestTransaction SandboxPack(string user, string productId) =>
        new() { TransactionId = NewTransactionId(), ProductId = productId, AppAccountToken = Guid.Parse(user), Environment = "Sandbox" };

    private static AppleTestNotification SandboxNotification(string type, AppleTestTransaction transaction, string? original) => new()
    {
        NotificationType = type,
        Subtype = type == "SUBSCRIBED" ? "INITIAL_BUY" : null,
        Environment = "Sandbox",
        AppAppleId = null,
        Transaction = transaction,
        RenewalInfo = original is null ? null : RenewalInfo(original) with { Environment = "Sandbox" },
    };
}
