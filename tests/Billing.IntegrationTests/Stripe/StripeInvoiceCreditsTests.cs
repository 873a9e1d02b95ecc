using Billing.Application.Inbox;
using Billing.Domain.Catalog;
using Billing.Domain.Subscriptions;
using Billing.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Billing.IntegrationTests.Stripe;

/// <summary>A paid period's credits come from the price the invoice billed (docs/decisions/0013), never from the subscription.</summary>
public sealed class StripeInvoiceCreditsTests(BillingDatabase database) : IClassFixture<BillingDatabase>, IAsyncLifetime
{
    private const string DashboardCreatorPrice = "price_dashboard_creator";
    private const string FreeCreatorPrice = "price_dashboard_creator_free";

    private StripeTestHost _host = null!;

    public async Task InitializeAsync() => _host = await StripeTestHost.StartAsync(database, new Dictionary<string, string?>
    {
        ["STRIPE_PRICE_MAP"] = $"{DashboardCreatorPrice}={ProductCatalog.CreatorMonthly.Id}, {FreeCreatorPrice}={ProductCatalog.CreatorMonthly.Id}",
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task APlanChangedInThePortal_ItsNextInvoiceGrantsThePriceItBilled_NotTheTierTheSubscriptionStartedWith()
    {
        var user = StripeTestHost.NewUser();
        var subscriptionId = await StartAsync(user, ProductCatalog.ExplorerMonthly);
        _host.Stripe.SwitchSubscriptionPrice(subscriptionId, DashboardCreatorPrice, ProductCatalog.CreatorMonthly.Price.MinorUnits);

        var invoiceId = _host.Stripe.RenewSubscription(subscriptionId);
        Assert.Equal(InboxStatus.Processed, await _host.DeliverAndProcessAsync("invoice.paid", invoiceId));

        var grants = await _host.GrantsAsync(user);
        Assert.Equal([100, 300], grants.Select(g => g.Amount).ToArray());
        Assert.Equal(ProductCatalog.ExplorerMonthly.Id, (await RemoteMetadataProductAsync(subscriptionId)));
    }

    [Fact]
    public async Task AnInvoiceAtAPriceThatMapsToNoTier_GrantsNothing_AndGoesToTheAttentionList()
    {
        var user = StripeTestHost.NewUser();
        var subscriptionId = await StartAsync(user, ProductCatalog.StudioMonthly);
        _host.Stripe.SwitchSubscriptionPrice(subscriptionId, "price_nobody_mapped", 12_345);

        var invoiceId = _host.Stripe.RenewSubscription(subscriptionId);
        var eventId = await _host.DeliverAsync("invoice.paid", invoiceId);
        await _host.ProcessInboxAsync();

        var row = await _host.InboxRowAsync(eventId);
        Assert.Equal(InboxStatus.Ignored, row.Status);
        Assert.Contains("price_nobody_mapped", row.LastError, StringComparison.Ordinal);
        Assert.Contains("attention list", row.LastError, StringComparison.Ordinal);
        Assert.Equal(1000, Assert.Single(await _host.GrantsAsync(user)).Amount); // the first period only
        Assert.Equal(1, await database.ScalarAsync($"SELECT count(*) FROM attention_items WHERE kind = 'unmapped_stripe_price' AND object_key = 'stripe:invoice:{invoiceId}'"));
        Assert.Single((await SubscriptionAsync(subscriptionId)).PaidPeriods); // not recorded: mapping the price and requeueing still grants it
    }

    [Fact]
    public async Task AZeroDollarInvoice_RecordsThePeriod_AndGrantsNothing()
    {
        var user = StripeTestHost.NewUser();
        var subscriptionId = await StartAsync(user, ProductCatalog.ExplorerMonthly);
        _host.Stripe.SwitchSubscriptionPrice(subscriptionId, FreeCreatorPrice, 0);

        var invoiceId = _host.Stripe.RenewSubscription(subscriptionId);
        var eventId = await _host.DeliverAsync("invoice.paid", invoiceId);
        await _host.ProcessInboxAsync();

        Assert.Contains("amount_paid 0", (await _host.InboxRowAsync(eventId)).LastError, StringComparison.Ordinal);
        Assert.Equal(100, Assert.Single(await _host.GrantsAsync(user)).Amount);
        var subscription = await SubscriptionAsync(subscriptionId);
        Assert.Equal(2, subscription.PaidPeriods.Count);
        Assert.Contains(subscription.PaidPeriods, p => p.CreditsGranted == 0);
    }

    private async Task<string> StartAsync(string user, SubscriptionTier tier)
    {
        var (sessionId, _) = await _host.CheckoutAsync(user, tier.Id);
        var paid = _host.Stripe.MarkSessionPaid(sessionId);
        Assert.Equal(InboxStatus.Processed, await _host.DeliverAndProcessAsync("checkout.session.completed", sessionId));
        Assert.Equal(tier.CreditsPerPeriod.Value, Assert.Single(await _host.GrantsAsync(user)).Amount);
        return paid.SubscriptionId!;
    }

    private Task<string?> RemoteMetadataProductAsync(string subscriptionId) =>
        Task.FromResult<string?>(System.Text.Json.JsonDocument.Parse(_host.Stripe.GetObjectJson(subscriptionId)).RootElement.GetProperty("metadata").GetProperty("product_id").GetString());

    private async Task<Subscription> SubscriptionAsync(string stripeSubscriptionId)
    {
        await using var db = database.CreateContext();
        return await db.Subscriptions.AsNoTracking().SingleAsync(s => s.ProviderSubscriptionId == stripeSubscriptionId);
    }
}
