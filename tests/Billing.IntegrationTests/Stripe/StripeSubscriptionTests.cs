using System.Net.Http.Headers;
using System.Text.Json;
using Billing.Application.Inbox;
using Billing.Domain.Catalog;
using Billing.Domain.Common;
using Billing.Domain.Subscriptions;
using Billing.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Billing.IntegrationTests.Stripe;

public sealed class StripeSubscriptionTests(BillingDatabase database) : IClassFixture<BillingDatabase>, IAsyncLifetime
{
    private StripeTestHost _host = null!;

    public async Task InitializeAsync() => _host = await StripeTestHost.StartAsync(database);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task APaidTierCheckout_StartsTheSubscription_AndItsFirstInvoiceGrantsOnce()
    {
        var user = StripeTestHost.NewUser();
        var (sessionId, _) = await _host.CheckoutAsync(user, ProductCatalog.CreatorMonthly.Id);
        var paid = _host.Stripe.MarkSessionPaid(sessionId);

        Assert.Equal(InboxStatus.Processed, await _host.DeliverAndProcessAsync("checkout.session.completed", sessionId));
        Assert.Equal(InboxStatus.Ignored, await _host.DeliverAndProcessAsync("invoice.paid", paid.InvoiceId!));
        Assert.Equal(InboxStatus.Processed, await _host.DeliverAndProcessAsync("checkout.session.completed", sessionId)); // a redelivery under a new id

        var subscription = await SubscriptionAsync(paid.SubscriptionId!);
        Assert.Equal(UserId.From(user), subscription.UserId);
        Assert.Equal(SubscriptionSource.Stripe, subscription.Source);
        Assert.Equal(TierName.Creator, subscription.Tier);
        Assert.Equal(SubscriptionStatus.Active, subscription.Status);
        var grant = Assert.Single(await _host.GrantsAsync(user));
        Assert.Equal(300, grant.Amount);
        Assert.Equal(TransactionType.SubscriptionGrant, grant.TransactionType);
        Assert.Equal(GrantKey.ForStripeInvoice(paid.InvoiceId!), grant.GrantKey);
    }

    [Fact]
    public async Task AMonthOfRenewals_GrantsTheTiersCreditsOncePerPaidPeriod()
    {
        var user = StripeTestHost.NewUser();
        var (subscriptionId, _) = await StartPaidSubscriptionAsync(user, ProductCatalog.ExplorerMonthly);

        var invoices = new List<string>();
        for (var cycle = 0; cycle < 3; cycle++)
        {
            var invoiceId = _host.Stripe.RenewSubscription(subscriptionId);
            invoices.Add(invoiceId);
            Assert.Equal(InboxStatus.Processed, await _host.DeliverAndProcessAsync("invoice.paid", invoiceId));
            Assert.Equal(InboxStatus.Ignored, await _host.DeliverAndProcessAsync("invoice.paid", invoiceId)); // redelivered
        }

        var grants = await _host.GrantsAsync(user);
        Assert.Equal(4, grants.Count);
        Assert.All(grants, g => Assert.Equal(100, g.Amount));
        Assert.All(grants, g => Assert.Equal(TransactionType.SubscriptionGrant, g.TransactionType));
        Assert.Equal(4, grants.Select(g => g.GrantKey).Distinct().Count());
        var subscription = await SubscriptionAsync(subscriptionId);
        Assert.Equal(4, subscription.PaidPeriods.Count);
        var lastInvoice = JsonDocument.Parse(_host.Stripe.GetObjectJson(invoices[^1])).RootElement.GetProperty("lines").GetProperty("data")[0].GetProperty("period");
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(lastInvoice.GetProperty("end").GetInt64()), subscription.CurrentPeriodEnd);
        Assert.Equal(SubscriptionStatus.Active, subscription.Status);
    }

    [Fact]
    public async Task InvoicePaidBeforeCheckoutCompleted_StillOneSubscriptionAndOneGrant()
    {
        var user = StripeTestHost.NewUser();
        var (sessionId, _) = await _host.CheckoutAsync(user, ProductCatalog.StudioMonthly.Id);
        var paid = _host.Stripe.MarkSessionPaid(sessionId);

        Assert.Equal(InboxStatus.Processed, await _host.DeliverAndProcessAsync("invoice.paid", paid.InvoiceId!));
        Assert.Equal(InboxStatus.Processed, await _host.DeliverAndProcessAsync("checkout.session.completed", sessionId));

        Assert.Equal(1, await database.ScalarAsync($"SELECT count(*) FROM subscriptions WHERE user_id = '{user}'"));
        var grant = Assert.Single(await _host.GrantsAsync(user));
        Assert.Equal(1000, grant.Amount);
    }

    [Fact]
    public async Task InvoicePaidAndCheckoutCompleted_ProcessedConcurrently_StillOneSubscriptionAndOneGrant()
    {
        var user = StripeTestHost.NewUser();
        var (sessionId, _) = await _host.CheckoutAsync(user, ProductCatalog.CreatorMonthly.Id);
        var paid = _host.Stripe.MarkSessionPaid(sessionId);
        var ids = new List<string>
        {
            await _host.DeliverAsync("invoice.paid", paid.InvoiceId!),
            await _host.DeliverAsync("checkout.session.completed", sessionId),
            await _host.DeliverAsync("customer.subscription.created", paid.SubscriptionId!),
            await _host.DeliverAsync("invoice.paid", paid.InvoiceId!),
        };

        await _host.ProcessConcurrentlyAsync(await Task.WhenAll(ids.Select(_host.InboxIdAsync)));
        await _host.MakeRetriesDueAsync();
        await _host.ProcessInboxAsync();

        Assert.Equal(1, await database.ScalarAsync($"SELECT count(*) FROM subscriptions WHERE user_id = '{user}'"));
        Assert.Equal(300, Assert.Single(await _host.GrantsAsync(user)).Amount);
    }

    [Fact]
    public async Task AnEventABusinessRuleRefuses_IsIgnoredWithTheRulesCode_NotRetried_AndKeepsNothingItDid()
    {
        // docs/decisions/0040, the same policy as Apple's (AppleWebhookTests.ANotificationABusinessRuleRefuses_...). A checkout
        // made elsewhere whose client reference is no valid user id: the use case first records the session's line prices,
        // then starting the subscription is refused by the domain (user_id.invalid). Neither may commit with the ignored mark.
        var sessionId = await CreateSessionWithoutSubscriptionMetadataAsync("user-\u0007-bell", ProductCatalog.ExplorerMonthly.Id);
        var paid = _host.Stripe.MarkSessionPaid(sessionId);
        var priceId = JsonDocument.Parse(_host.Stripe.GetObjectJson(paid.SubscriptionId!)).RootElement
            .GetProperty("items").GetProperty("data")[0].GetProperty("price").GetProperty("id").GetString();

        var checkoutEvent = await _host.DeliverAsync("checkout.session.completed", sessionId);
        await _host.ProcessInboxAsync();

        var row = await _host.InboxRowAsync(checkoutEvent);
        Assert.Equal(InboxStatus.Ignored, row.Status);
        Assert.Equal(1, row.Attempts);
        Assert.Equal("refused by a business rule (user_id.invalid): A user id cannot contain control characters.", row.LastError);
        Assert.Equal(0, await database.ScalarAsync($"SELECT count(*) FROM subscriptions WHERE provider_subscription_id = '{paid.SubscriptionId}'"));
        Assert.Equal(0, await database.ScalarAsync($"SELECT count(*) FROM stripe_prices WHERE price_id = '{priceId}'"));

        await _host.MakeRetriesDueAsync();
        await _host.ProcessInboxAsync();
        Assert.Equal(1, (await _host.InboxRowAsync(checkoutEvent)).Attempts); // ignored is final: not retried
    }

    [Fact]
    public async Task ARenewalWhoseSubscriptionCannotBeIdentifiedYet_IsRetried_NotLost()
    {
        // A subscription checkout made without subscription metadata: only the session names user and product.
        var user = StripeTestHost.NewUser();
        var sessionId = await CreateSessionWithoutSubscriptionMetadataAsync(user, ProductCatalog.ExplorerMonthly.Id);
        var paid = _host.Stripe.MarkSessionPaid(sessionId);

        var invoiceEvent = await _host.DeliverAsync("invoice.paid", paid.InvoiceId!);
        await _host.ProcessInboxAsync();
        var waiting = await _host.InboxRowAsync(invoiceEvent);
        Assert.Equal(InboxStatus.Received, waiting.Status);
        Assert.Contains("ProviderEventNotReadyException", waiting.LastError, StringComparison.Ordinal);
        Assert.Empty(await _host.GrantsAsync(user));

        Assert.Equal(InboxStatus.Processed, await _host.DeliverAndProcessAsync("checkout.session.completed", sessionId));
        await _host.MakeRetriesDueAsync();
        await _host.ProcessInboxAsync();

        Assert.Equal(InboxStatus.Ignored, (await _host.InboxRowAsync(invoiceEvent)).Status); // granted by the checkout already
        Assert.Equal(100, Assert.Single(await _host.GrantsAsync(user)).Amount);
    }

    [Fact]
    public async Task AFailedRenewal_MakesItPastDue_AndThePaymentThatFollows_RecoversItAndGrants()
    {
        var user = StripeTestHost.NewUser();
        var (subscriptionId, _) = await StartPaidSubscriptionAsync(user, ProductCatalog.ExplorerMonthly);

        var renewal = _host.Stripe.RenewSubscription(subscriptionId, paid: false);
        Assert.Equal(InboxStatus.Processed, await _host.DeliverAndProcessAsync("invoice.payment_failed", renewal));
        Assert.Equal(InboxStatus.Ignored, await _host.DeliverAndProcessAsync("customer.subscription.updated", subscriptionId)); // says past_due too
        Assert.Equal(SubscriptionStatus.PastDue, (await SubscriptionAsync(subscriptionId)).Status);
        Assert.Single(await _host.GrantsAsync(user));

        _host.Stripe.PayInvoice(renewal);
        Assert.Equal(InboxStatus.Processed, await _host.DeliverAndProcessAsync("invoice.paid", renewal));
        Assert.Equal(InboxStatus.Ignored, await _host.DeliverAndProcessAsync("invoice.payment_failed", renewal)); // a late redelivery: paid since

        Assert.Equal(SubscriptionStatus.Active, (await SubscriptionAsync(subscriptionId)).Status);
        Assert.Equal(2, (await _host.GrantsAsync(user)).Count);
    }

    [Fact]
    public async Task APastDueSubscription_RecoversWhenStripeSaysActiveAgain()
    {
        var user = StripeTestHost.NewUser();
        var (subscriptionId, _) = await StartPaidSubscriptionAsync(user, ProductCatalog.ExplorerMonthly);
        _host.Stripe.SetSubscriptionStatus(subscriptionId, "past_due");
        Assert.Equal(InboxStatus.Processed, await _host.DeliverAndProcessAsync("customer.subscription.updated", subscriptionId));
        Assert.Equal(SubscriptionStatus.PastDue, (await SubscriptionAsync(subscriptionId)).Status);

        _host.Stripe.SetSubscriptionStatus(subscriptionId, "active");
        Assert.Equal(InboxStatus.Processed, await _host.DeliverAndProcessAsync("customer.subscription.updated", subscriptionId));
        Assert.Equal(SubscriptionStatus.Active, (await SubscriptionAsync(subscriptionId)).Status);
    }

    [Fact]
    public async Task CancelAtPeriodEnd_Cancels_Resume_Reactivates_AndDeletion_Expires()
    {
        var user = StripeTestHost.NewUser();
        var (subscriptionId, _) = await StartPaidSubscriptionAsync(user, ProductCatalog.CreatorMonthly);

        _host.Stripe.CancelAtPeriodEnd(subscriptionId);
        Assert.Equal(InboxStatus.Processed, await _host.DeliverAndProcessAsync("customer.subscription.updated", subscriptionId));
        var canceled = await SubscriptionAsync(subscriptionId);
        Assert.Equal(SubscriptionStatus.Canceled, canceled.Status);
        Assert.True(canceled.CancelAtPeriodEnd);

        _host.Stripe.ResumeSubscription(subscriptionId);
        Assert.Equal(InboxStatus.Processed, await _host.DeliverAndProcessAsync("customer.subscription.updated", subscriptionId));
        Assert.Equal(SubscriptionStatus.Active, (await SubscriptionAsync(subscriptionId)).Status);

        _host.Stripe.CancelAtPeriodEnd(subscriptionId);
        await _host.DeliverAndProcessAsync("customer.subscription.updated", subscriptionId);
        _host.Stripe.ExpireSubscription(subscriptionId);
        Assert.Equal(InboxStatus.Processed, await _host.DeliverAndProcessAsync("customer.subscription.deleted", subscriptionId));
        Assert.Equal(InboxStatus.Ignored, await _host.DeliverAndProcessAsync("customer.subscription.updated", subscriptionId));

        var expired = await SubscriptionAsync(subscriptionId);
        Assert.Equal(SubscriptionStatus.Expired, expired.Status);
        Assert.Single(await _host.GrantsAsync(user));
    }

    [Fact]
    public async Task AnOlderSubscriptionUpdate_DeliveredAfterANewerOne_DoesNotRegressTheState()
    {
        var user = StripeTestHost.NewUser();
        var (subscriptionId, _) = await StartPaidSubscriptionAsync(user, ProductCatalog.ExplorerMonthly);
        var t0 = _host.Stripe.Now;

        _host.Stripe.CancelAtPeriodEnd(subscriptionId);
        var olderCancel = _host.Stripe.BuildEventForObject("customer.subscription.updated", subscriptionId, "evt_" + Guid.NewGuid().ToString("N"), t0.AddSeconds(10));
        _host.Stripe.ResumeSubscription(subscriptionId);
        Assert.Equal(InboxStatus.Ignored, await _host.DeliverAndProcessAsync("customer.subscription.updated", subscriptionId, t0.AddSeconds(20))); // active, as it was

        // Stripe's state moves on (a new cancel, its event still in flight) and the old event arrives last.
        _host.Stripe.CancelAtPeriodEnd(subscriptionId);
        await _host.DeliverPayloadAsync(olderCancel);
        await _host.ProcessInboxAsync();
        Assert.Equal(SubscriptionStatus.Active, (await SubscriptionAsync(subscriptionId)).Status);

        // The newer event applies.
        Assert.Equal(InboxStatus.Processed, await _host.DeliverAndProcessAsync("customer.subscription.updated", subscriptionId, t0.AddSeconds(30)));
        Assert.Equal(SubscriptionStatus.Canceled, (await SubscriptionAsync(subscriptionId)).Status);

        // Ended is final: an old "active" update delivered after the deletion changes nothing.
        _host.Stripe.ExpireSubscription(subscriptionId);
        Assert.Equal(InboxStatus.Processed, await _host.DeliverAndProcessAsync("customer.subscription.deleted", subscriptionId, t0.AddSeconds(50)));
        Assert.Equal(InboxStatus.Ignored, await _host.DeliverAndProcessAsync("invoice.payment_failed", _host.Stripe.RenewSubscription(subscriptionId, paid: false), t0.AddSeconds(40)));
        Assert.Equal(SubscriptionStatus.Expired, (await SubscriptionAsync(subscriptionId)).Status);
    }

    [Fact]
    public async Task AnUpdateForASubscriptionNotKnownHere_IsRecordedAsIgnored()
    {
        var user = StripeTestHost.NewUser();
        var (sessionId, _) = await _host.CheckoutAsync(user, ProductCatalog.ExplorerMonthly.Id);
        var paid = _host.Stripe.MarkSessionPaid(sessionId);

        Assert.Equal(InboxStatus.Ignored, await _host.DeliverAndProcessAsync("customer.subscription.updated", paid.SubscriptionId!));
        Assert.Equal(0, await database.ScalarAsync($"SELECT count(*) FROM subscriptions WHERE user_id = '{user}'"));
    }

    private async Task<(string SubscriptionId, string InvoiceId)> StartPaidSubscriptionAsync(string user, SubscriptionTier tier)
    {
        var (sessionId, _) = await _host.CheckoutAsync(user, tier.Id);
        var paid = _host.Stripe.MarkSessionPaid(sessionId);
        Assert.Equal(InboxStatus.Processed, await _host.DeliverAndProcessAsync("checkout.session.completed", sessionId));
        return (paid.SubscriptionId!, paid.InvoiceId!);
    }

    private async Task<Subscription> SubscriptionAsync(string stripeSubscriptionId)
    {
        await using var db = database.CreateContext();
        return await db.Subscriptions.AsNoTracking().SingleAsync(s => s.ProviderSubscriptionId == stripeSubscriptionId);
    }

    /// <summary>Straight to the fake's REST API, as a checkout made by another tool would be.</summary>
    private async Task<string> CreateSessionWithoutSubscriptionMetadataAsync(string user, string productId)
    {
        using var http = new HttpClient { BaseAddress = _host.Stripe.BaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/checkout/sessions")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["mode"] = "subscription",
                ["success_url"] = StripeTestHost.SuccessUrl,
                ["cancel_url"] = StripeTestHost.CancelUrl,
                ["client_reference_id"] = user,
                ["metadata[product_id]"] = productId,
                ["line_items[0][quantity]"] = "1",
                ["line_items[0][price_data][currency]"] = "usd",
                ["line_items[0][price_data][unit_amount]"] = "799",
                ["line_items[0][price_data][product_data][name]"] = "Explorer monthly",
                ["line_items[0][price_data][recurring][interval]"] = "month",
            }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _host.Stripe.SecretKey);
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
    }
}
