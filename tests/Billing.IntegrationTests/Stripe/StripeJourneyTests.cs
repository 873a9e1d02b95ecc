using System.Net.Http.Json;
using System.Text.Json;
using Billing.Domain.Catalog;
using Billing.IntegrationTests.Grants;
using Billing.IntegrationTests.Infrastructure;
using Billing.TestFakes.Flash;

namespace Billing.IntegrationTests.Stripe;

/// <summary>
/// Seed 004's journey end to end, everything real but the two providers: checkout through the API, payment at the Stripe
/// fake, the signed webhook, the background inbox processor and grant dispatcher, credits landing in the Flash fake, and
/// the status route showing it.
/// </summary>
public sealed class StripeJourneyTests(BillingDatabase database) : IClassFixture<BillingDatabase>, IAsyncLifetime
{
    private const string GatewaySecret = "gateway-signing-secret-for-tests";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private FlashFake _flash = null!;
    private StripeTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _flash = await FlashFake.StartAsync(new FlashFakeOptions { GatewaySigningSecret = GatewaySecret, CreditsApiServiceKey = "fake-service-key" });
        var settings = GrantTestKit.Settings(_flash, GatewaySecret, new Dictionary<string, string?> { ["FLASH_CREDITS_API_URL"] = _flash.BaseUrl.ToString() });
        settings["BACKGROUND_WORKERS"] = "true";
        settings["INBOX_POLL_INTERVAL_MS"] = "250";
        settings["GRANT_POLL_INTERVAL_MS"] = "250";
        _host = await StripeTestHost.StartAsync(database, settings);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _flash.DisposeAsync();
    }

    [Fact]
    public async Task BuyCredits_PayAtStripe_Webhook_CreditsLandInFlash_AndStatusShowsThePaidPurchase()
    {
        var user = _flash.AddUser("ext-" + Guid.NewGuid().ToString("N"), balance: 0);

        // 1–4: the app asks for a checkout and gets Stripe's URL.
        var (sessionId, checkoutUrl) = await _host.CheckoutAsync(user, ProductCatalog.Starter.Id, email: "journey@example.com");
        Assert.Contains(sessionId, checkoutUrl, StringComparison.Ordinal);
        var before = await StatusAsync(user);
        Assert.Equal("pending", before.GetProperty("purchases")[0].GetProperty("status").GetString());

        // 5–6: the user pays; Stripe sends the signed webhook (twice, as it may).
        var paid = _host.Stripe.MarkSessionPaid(sessionId);
        var payload = _host.Stripe.BuildEventForObject("checkout.session.completed", sessionId, "evt_" + Guid.NewGuid().ToString("N"));
        await _host.DeliverPayloadAsync(payload);
        await _host.DeliverPayloadAsync(payload);

        // 7–9: re-fetched, granted once, delivered to Flash.
        await Eventually(() => _flash.BalanceOf(user) == 10, "10 credits in Flash");
        var status = await EventuallyStatus(user, s => s.GetProperty("grants").GetProperty("delivered_credits").GetInt32() == 10);
        var purchase = status.GetProperty("purchases")[0];
        Assert.Equal("paid", purchase.GetProperty("status").GetString());
        Assert.Equal(ProductCatalog.Starter.Id, purchase.GetProperty("product_id").GetString());
        var grant = Assert.Single(status.GetProperty("grants").GetProperty("items").EnumerateArray());
        Assert.Equal("delivered", grant.GetProperty("status").GetString());
        Assert.Equal("stripe_purchase", grant.GetProperty("transaction_type").GetString());
        Assert.Equal($"stripe:checkout:{sessionId}", grant.GetProperty("grant_key").GetString());
        Assert.Equal(0, status.GetProperty("grants").GetProperty("pending_credits").GetInt32());

        // A refund afterwards is clawed back through the same machinery (a debit at Flash).
        _host.Stripe.Refund(paid.ChargeId!, ProductCatalog.Starter.Price.MinorUnits);
        await _host.DeliverAsync("charge.refunded", paid.ChargeId!);
        await Eventually(() => _flash.BalanceOf(user) == 0, "the refund clawed back at Flash");
        var refunded = await EventuallyStatus(user, s => s.GetProperty("purchases")[0].GetProperty("status").GetString() == "refunded");
        Assert.Equal(10, refunded.GetProperty("purchases")[0].GetProperty("credits_clawed_back").GetInt32());
        Assert.Equal(10, _flash.TotalGranted(user));
    }

    [Fact]
    public async Task SubscribeAndRenew_EachPaidPeriodLandsInFlashOnce_AndStatusShowsTheActiveSubscription()
    {
        var user = _flash.AddUser("ext-" + Guid.NewGuid().ToString("N"), balance: 0);
        var (sessionId, _) = await _host.CheckoutAsync(user, ProductCatalog.ExplorerMonthly.Id);
        var paid = _host.Stripe.MarkSessionPaid(sessionId);

        await _host.DeliverAsync("invoice.paid", paid.InvoiceId!);
        await _host.DeliverAsync("checkout.session.completed", sessionId);
        await Eventually(() => _flash.BalanceOf(user) == 100, "the first period's 100 credits");

        var renewal = _host.Stripe.RenewSubscription(paid.SubscriptionId!);
        await _host.DeliverAsync("invoice.paid", renewal);
        await _host.DeliverAsync("invoice.paid", renewal);
        await Eventually(() => _flash.BalanceOf(user) == 200, "the renewal's 100 credits");

        var status = await EventuallyStatus(user, s => s.GetProperty("grants").GetProperty("delivered_credits").GetInt32() == 200);
        Assert.True(status.GetProperty("has_active_subscription").GetBoolean());
        var subscription = Assert.Single(status.GetProperty("subscriptions").EnumerateArray());
        Assert.Equal("explorer", subscription.GetProperty("tier").GetString());
        Assert.Equal("stripe", subscription.GetProperty("source").GetString());
        Assert.Equal("active", subscription.GetProperty("status").GetString());
        await Task.Delay(500);
        Assert.Equal(200, _flash.BalanceOf(user));
    }

    private async Task<JsonElement> StatusAsync(string user) =>
        await _host.Client(user).GetFromJsonAsync<JsonElement>("/internal/billing/status");

    private async Task<JsonElement> EventuallyStatus(string user, Func<JsonElement, bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var status = await StatusAsync(user);
            if (condition(status) || DateTime.UtcNow > deadline)
            {
                Assert.True(condition(status), $"status never reached the expected state: {status}");
                return status;
            }

            await Task.Delay(100);
        }
    }

    private static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(100);
        }
    }
}
