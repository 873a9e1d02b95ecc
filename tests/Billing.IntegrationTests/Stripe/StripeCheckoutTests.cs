using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.Domain.Catalog;
using Billing.Domain.Common;
using Billing.Domain.Purchases;
using Billing.Domain.Subscriptions;
using Billing.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Billing.IntegrationTests.Stripe;

public sealed class StripeCheckoutTests(BillingDatabase database) : IClassFixture<BillingDatabase>, IAsyncLifetime
{
    private StripeTestHost _host = null!;

    public async Task InitializeAsync() => _host = await StripeTestHost.StartAsync(database);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Checkout_ForAPack_CreatesTheCustomer_AndAPaymentSession_AndRecordsAPendingPurchase()
    {
        var user = StripeTestHost.NewUser();

        var (sessionId, checkoutUrl) = await _host.CheckoutAsync(user, ProductCatalog.Explorer.Id, email: "ada@example.com");

        Assert.StartsWith("https://checkout.stripe.test/", checkoutUrl, StringComparison.Ordinal);
        var customerCall = Assert.Single(_host.Stripe.RequestsTo("POST", "/v1/customers"));
        Assert.Equal("customer:" + user, customerCall.IdempotencyKey);
        Assert.Equal(user, customerCall.Field("metadata[user_id]"));
        Assert.Equal("ada@example.com", customerCall.Field("email"));
        var customerId = JsonDocument.Parse(_host.Stripe.GetObjectJson(sessionId)).RootElement.GetProperty("customer").GetString();
        Assert.StartsWith("cus_", customerId, StringComparison.Ordinal);

        var call = Assert.Single(_host.Stripe.RequestsTo("POST", "/v1/checkout/sessions"));
        Assert.StartsWith("checkout:", call.IdempotencyKey, StringComparison.Ordinal);
        Assert.Equal("payment", call.Field("mode"));
        Assert.Equal(customerId, call.Field("customer"));
        Assert.Equal(user, call.Field("client_reference_id"));
        Assert.Equal(user, call.Field("metadata[user_id]"));
        Assert.Equal(ProductCatalog.Explorer.Id, call.Field("metadata[product_id]"));
        Assert.Equal(user, call.Field("payment_intent_data[metadata][user_id]"));
        Assert.Equal(ProductCatalog.Explorer.Id, call.Field("payment_intent_data[metadata][product_id]"));
        Assert.Equal("usd", call.Field("line_items[0][price_data][currency]"));
        Assert.Equal("999", call.Field("line_items[0][price_data][unit_amount]"));
        Assert.Equal("1", call.Field("line_items[0][quantity]"));
        Assert.False(call.HasField("line_items[0][price_data][recurring][interval]"));
        Assert.False(call.HasField("subscription_data[metadata][user_id]"));
        Assert.Equal(StripeTestHost.SuccessUrl, call.Field("success_url"));
        Assert.Equal(StripeTestHost.CancelUrl, call.Field("cancel_url"));
        Assert.Equal("2026-10-28.endive", call.StripeVersion);

        await using var db = database.CreateContext();
        var purchase = await db.Purchases.SingleAsync(p => p.ProviderPurchaseId == sessionId);
        Assert.Equal(PurchaseStatus.Pending, purchase.Status);
        Assert.Equal(UserId.From(user), purchase.UserId);
        Assert.Equal(ProductCatalog.Explorer.Id, purchase.ProductId);
        Assert.Equal(customerId, (await db.Customers.SingleAsync(c => c.UserId == UserId.From(user))).StripeCustomerId);
        Assert.False(await db.CreditGrants.AnyAsync(g => g.UserId == UserId.From(user)));
    }

    [Fact]
    public async Task Checkout_ForATier_OpensAMonthlySubscriptionSession_WithTheSubscriptionTaggedToo()
    {
        var user = StripeTestHost.NewUser();

        var (sessionId, _) = await _host.CheckoutAsync(user, ProductCatalog.CreatorMonthly.Id);

        var call = Assert.Single(_host.Stripe.RequestsTo("POST", "/v1/checkout/sessions"));
        Assert.Equal("subscription", call.Field("mode"));
        Assert.Equal("1999", call.Field("line_items[0][price_data][unit_amount]"));
        Assert.Equal("month", call.Field("line_items[0][price_data][recurring][interval]"));
        Assert.Equal(user, call.Field("client_reference_id"));
        Assert.Equal(ProductCatalog.CreatorMonthly.Id, call.Field("metadata[product_id]"));
        Assert.Equal(user, call.Field("subscription_data[metadata][user_id]"));
        Assert.Equal(ProductCatalog.CreatorMonthly.Id, call.Field("subscription_data[metadata][product_id]"));
        Assert.False(call.HasField("payment_intent_data[metadata][user_id]"));
        await using var db = database.CreateContext();
        Assert.False(await db.Purchases.AnyAsync(p => p.ProviderPurchaseId == sessionId), "a subscription checkout records no purchase");
    }

    [Fact]
    public async Task Checkout_ConcurrentFirstCheckoutsOfOneUser_CreateExactlyOneStripeCustomer()
    {
        var user = StripeTestHost.NewUser();

        var sessions = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => _host.CheckoutAsync(user, ProductCatalog.Starter.Id)));

        Assert.Equal(12, sessions.Select(s => s.SessionId).Distinct().Count());
        // The customer row lock queues the checkouts: only the first one ever asks Stripe for a customer.
        Assert.Single(_host.Stripe.RequestsTo("POST", "/v1/customers"));
        var customers = _host.Stripe.RequestsTo("POST", "/v1/checkout/sessions").Select(c => c.Field("customer")).Distinct().ToList();
        Assert.Single(customers);
        Assert.NotNull(customers[0]);
        Assert.Equal(1, await database.ScalarAsync($"SELECT count(*) FROM customers WHERE user_id = '{user}'"));
        Assert.Equal(12, await database.ScalarAsync($"SELECT count(*) FROM purchases WHERE user_id = '{user}' AND status = 'pending'"));
    }

    [Fact]
    public async Task Checkout_AfterARolledBackAttemptWithAnotherEmail_StillGetsAStripeCustomer()
    {
        var user = StripeTestHost.NewUser();
        // What an earlier attempt left at Stripe when our transaction rolled back after Stripe answered.
        using (var http = new HttpClient { BaseAddress = _host.Stripe.BaseUrl })
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v1/customers") { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["email"] = "old@example.com", ["metadata[user_id]"] = user }) })
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", _host.Stripe.SecretKey);
            request.Headers.Add("Idempotency-Key", "customer:" + user);
            (await http.SendAsync(request)).EnsureSuccessStatusCode();
        }

        var (sessionId, _) = await _host.CheckoutAsync(user, ProductCatalog.Starter.Id, email: "new@example.com");

        var calls = _host.Stripe.RequestsTo("POST", "/v1/customers");
        Assert.Equal(3, calls.Count); // the earlier attempt, the refused reuse of its key, the email-scoped retry
        Assert.StartsWith("customer:", calls[^1].IdempotencyKey, StringComparison.Ordinal);
        Assert.NotEqual("customer:" + user, calls[^1].IdempotencyKey);
        var customerId = JsonDocument.Parse(_host.Stripe.GetObjectJson(sessionId)).RootElement.GetProperty("customer").GetString()!;
        Assert.Equal("new@example.com", JsonDocument.Parse(_host.Stripe.GetObjectJson(customerId)).RootElement.GetProperty("email").GetString());
    }

    [Fact]
    public async Task Checkout_ASecondCheckout_ReusesTheStoredStripeCustomer()
    {
        var user = StripeTestHost.NewUser();
        await _host.CheckoutAsync(user, ProductCatalog.Starter.Id);
        await _host.CheckoutAsync(user, ProductCatalog.Studio.Id);

        Assert.Single(_host.Stripe.RequestsTo("POST", "/v1/customers"));
        Assert.Single(_host.Stripe.RequestsTo("POST", "/v1/checkout/sessions").Select(c => c.Field("customer")).Distinct());
    }

    [Fact]
    public async Task Checkout_WithTheSameIdempotencyKey_ReturnsTheSameSession()
    {
        var user = StripeTestHost.NewUser();
        var client = _host.Client(user);
        client.DefaultRequestHeaders.Add("Idempotency-Key", "attempt-1");

        var first = await (await client.PostAsJsonAsync("/internal/billing/stripe/checkout", new { product_id = ProductCatalog.Starter.Id })).Content.ReadFromJsonAsync<JsonElement>();
        var second = await (await client.PostAsJsonAsync("/internal/billing/stripe/checkout", new { product_id = ProductCatalog.Starter.Id })).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(first.GetProperty("session_id").GetString(), second.GetProperty("session_id").GetString());
        Assert.Single(_host.Stripe.CheckoutSessionIds);
        Assert.Equal(1, await database.ScalarAsync($"SELECT count(*) FROM purchases WHERE user_id = '{user}'"));
    }

    [Theory]
    [InlineData("com.timepoint.flash.credits.9999")]
    [InlineData("")]
    public async Task Checkout_OfAnUnknownProduct_Answers400_AndCallsNoStripe(string productId)
    {
        var response = await _host.Client(StripeTestHost.NewUser()).PostAsJsonAsync("/internal/billing/stripe/checkout", new { product_id = productId });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await StripeTestHost.ProblemAsync(response);
        Assert.True(problem.GetProperty("errors").TryGetProperty("product_id", out _));
        Assert.Empty(_host.Stripe.Requests);
    }

    [Fact]
    public async Task Checkout_WithoutAUser_Answers400_AndCallsNoStripe()
    {
        var response = await _host.Client().PostAsJsonAsync("/internal/billing/stripe/checkout", new { product_id = ProductCatalog.Starter.Id });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("user_id.missing", (await StripeTestHost.ProblemAsync(response)).GetProperty("code").GetString());
        Assert.Empty(_host.Stripe.Requests);
    }

    [Fact]
    public async Task Checkout_WithoutTheServiceKey_Answers401()
    {
        var client = _host.Factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-User-Id", StripeTestHost.NewUser());
        var response = await client.PostAsJsonAsync("/internal/billing/stripe/checkout", new { product_id = ProductCatalog.Starter.Id });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Checkout_RedirectOverrides_AreTakenOnTheConfiguredOrigin_AndRefusedElsewhere()
    {
        var user = StripeTestHost.NewUser();
        var ok = await _host.Client(user).PostAsJsonAsync("/internal/billing/stripe/checkout", new
        {
            product_id = ProductCatalog.Starter.Id,
            success_url = "https://app.timepoint.test/welcome?session_id={CHECKOUT_SESSION_ID}",
            cancel_url = "https://APP.timepoint.test:443/shop",
        });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var call = Assert.Single(_host.Stripe.RequestsTo("POST", "/v1/checkout/sessions"));
        Assert.Equal("https://app.timepoint.test/welcome?session_id={CHECKOUT_SESSION_ID}", call.Field("success_url"));

        foreach (var (success, cancel) in new (string?, string?)[] { ("https://evil.test/phish", null), (null, "http://app.timepoint.test/shop"), ("javascript:alert(1)", null), (null, "/relative") })
        {
            var refused = await _host.Client(user).PostAsJsonAsync("/internal/billing/stripe/checkout", new { product_id = ProductCatalog.Starter.Id, success_url = success, cancel_url = cancel });
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        Assert.Single(_host.Stripe.RequestsTo("POST", "/v1/checkout/sessions"));
    }

    [Fact]
    public async Task Checkout_ForATier_WhileSubscribed_Answers409()
    {
        var user = StripeTestHost.NewUser();
        await using (var db = database.CreateContext())
        {
            var period = BillingPeriod.Of(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(30));
            db.Subscriptions.Add(Subscription.Start(UserId.From(user), SubscriptionSource.Stripe, ProductCatalog.ExplorerMonthly, "sub_" + user, period, period.Start, DateTimeOffset.UtcNow));
            await db.SaveChangesAsync();
        }

        var response = await _host.Client(user).PostAsJsonAsync("/internal/billing/stripe/checkout", new { product_id = ProductCatalog.StudioMonthly.Id });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("subscription.already_subscribed", (await StripeTestHost.ProblemAsync(response)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Checkout_WhenStripeKeepsFailingWith500_Answers503ProblemDetails()
    {
        _host.Stripe.FailNext(10, 500);

        var response = await _host.Client(StripeTestHost.NewUser()).PostAsJsonAsync("/internal/billing/stripe/checkout", new { product_id = ProductCatalog.Starter.Id });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var problem = await StripeTestHost.ProblemAsync(response);
        Assert.Equal("stripe.unavailable", problem.GetProperty("code").GetString());
        Assert.DoesNotContain(_host.Stripe.SecretKey, problem.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, _host.Stripe.Requests.Count); // first attempt + one retry (STRIPE_MAX_RETRIES=1)
    }

    [Fact]
    public async Task Checkout_WhenStripeTimesOut_Answers503ProblemDetails_AndRecordsNothing()
    {
        var user = StripeTestHost.NewUser();
        _host.Stripe.DelayNext(10, TimeSpan.FromSeconds(10));

        var response = await _host.Client(user).PostAsJsonAsync("/internal/billing/stripe/checkout", new { product_id = ProductCatalog.Starter.Id });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("stripe.unavailable", (await StripeTestHost.ProblemAsync(response)).GetProperty("code").GetString());
        Assert.Equal(0, await database.ScalarAsync($"SELECT count(*) FROM customers WHERE user_id = '{user}'"));
    }

    [Fact]
    public async Task Checkout_WhenStripeRejectsOurKey_Answers502ProblemDetails()
    {
        _host.Stripe.FailNext(1, 401, errorType: "invalid_request_error");

        var response = await _host.Client(StripeTestHost.NewUser()).PostAsJsonAsync("/internal/billing/stripe/checkout", new { product_id = ProductCatalog.Starter.Id });

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("stripe.rejected", (await StripeTestHost.ProblemAsync(response)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Portal_ForAUserWithoutAStripeCustomer_Answers404()
    {
        var response = await _host.Client(StripeTestHost.NewUser()).GetAsync(new Uri("/internal/billing/stripe/portal", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("stripe_customer.not_found", (await StripeTestHost.ProblemAsync(response)).GetProperty("code").GetString());
        Assert.Empty(_host.Stripe.Requests);
    }

    [Fact]
    public async Task Portal_ForAUserWithAStripeCustomer_AnswersTheLink()
    {
        var user = StripeTestHost.NewUser();
        await _host.CheckoutAsync(user, ProductCatalog.Starter.Id);
        var customerId = Assert.Single(_host.Stripe.RequestsTo("POST", "/v1/checkout/sessions")).Field("customer");

        var body = await _host.Client(user).GetFromJsonAsync<JsonElement>("/internal/billing/stripe/portal");

        Assert.StartsWith("https://billing.stripe.test/p/session/", body.GetProperty("portal_url").GetString(), StringComparison.Ordinal);
        var call = Assert.Single(_host.Stripe.RequestsTo("POST", "/v1/billing_portal/sessions"));
        Assert.Equal(customerId, call.Field("customer"));
        Assert.Equal("https://app.timepoint.test/", call.Field("return_url"));
        Assert.NotNull(call.IdempotencyKey);
    }
}

/// <summary>Without STRIPE_* settings the service runs, and the Stripe routes answer 503 instead of failing.</summary>
public sealed class StripeNotConfiguredTests(BillingDatabase database) : IClassFixture<BillingDatabase>, IDisposable
{
    private readonly BillingApiFactory _factory = new(database.ConnectionString, new Dictionary<string, string?> { ["BACKGROUND_WORKERS"] = "false" });

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Checkout_Portal_AndWebhook_Answer503ProblemDetails()
    {
        var client = _factory.CreateServiceClient(StripeTestHost.NewUser());
        var checkout = await client.PostAsJsonAsync("/internal/billing/stripe/checkout", new { product_id = ProductCatalog.Starter.Id });
        var webhook = await _factory.CreateClient().PostAsync(new Uri("/webhooks/stripe", UriKind.Relative), new StringContent("{}"));

        foreach (var response in new[] { checkout, webhook })
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("stripe.not_configured", (await StripeTestHost.ProblemAsync(response)).GetProperty("code").GetString());
        }

        Assert.Equal(0, await database.ScalarAsync("SELECT count(*) FROM inbox_events"));
    }
}
