using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.Domain.Catalog;
using Billing.Domain.Common;
using Billing.Domain.Purchases;
using Billing.Domain.Subscriptions;
using Billing.IntegrationTests.Infrastructure;

namespace Billing.IntegrationTests.Foundation;

public sealed class InternalApiTests : IClassFixture<BillingDatabase>, IDisposable
{
    private readonly BillingDatabase _database;
    private readonly BillingApiFactory _factory;

    public InternalApiTests(BillingDatabase database)
    {
        _database = database;
        _factory = new BillingApiFactory(database.ConnectionString);
    }

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Health_AnswersWithoutAKey()
    {
        var response = await _factory.CreateClient().GetAsync(new Uri("/health", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task HealthReady_OnAMigratedDatabase_IsReady()
    {
        var response = await _factory.CreateClient().GetAsync(new Uri("/health/ready", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("ready", body.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("wrong-key")]
    [InlineData("test-service-key-012345678")] // a prefix of the real key
    [InlineData("test-service-key-01234567890")] // the real key plus one character
    public async Task InternalRoutes_WithoutTheServiceKey_Answer401ProblemDetails(string? key)
    {
        var client = _factory.CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("X-Service-Key", key);
        }

        foreach (var path in new[] { "/internal/billing/products", "/internal/billing/status" })
        {
            var response = await client.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var body = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain(BillingApiFactory.ServiceKey, body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Products_ListsTheWholeCatalogWithPricesInCents()
    {
        var body = await _factory.CreateServiceClient().GetFromJsonAsync<JsonElement>("/internal/billing/products");
        var products = body.GetProperty("products").EnumerateArray().ToList();

        Assert.Equal(7, products.Count);
        Assert.Equal(4, products.Count(p => p.GetProperty("kind").GetString() == "pack"));
        Assert.Equal(3, products.Count(p => p.GetProperty("kind").GetString() == "subscription"));
        var studio = products.Single(p => p.GetProperty("product_id").GetString() == "com.timepoint.flash.credits.500");
        Assert.Equal("Studio", studio.GetProperty("name").GetString());
        Assert.Equal(500, studio.GetProperty("credits").GetInt32());
        Assert.Equal(6999, studio.GetProperty("price_cents").GetInt64());
        Assert.Equal("$69.99", studio.GetProperty("price_display").GetString());
        Assert.Equal("USD", studio.GetProperty("currency").GetString());
        var creator = products.Single(p => p.GetProperty("product_id").GetString() == "com.timepoint.flash.sub.creator");
        Assert.Equal(300, creator.GetProperty("credits").GetInt32());
        Assert.Equal(1999, creator.GetProperty("price_cents").GetInt64());
        Assert.Equal("month", creator.GetProperty("interval").GetString());
    }

    [Fact]
    public async Task Status_WithoutAUserId_Answers400()
    {
        var response = await _factory.CreateServiceClient().GetAsync(new Uri("/internal/billing/status", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("user_id.missing", problem.GetProperty("code").GetString());
        Assert.True(problem.TryGetProperty("trace_id", out _));
    }

    [Fact]
    public async Task Status_WithATooLongUserId_Answers400()
    {
        var response = await _factory.CreateServiceClient(new string('u', 300)).GetAsync(new Uri("/internal/billing/status", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Status_ForAUserWithNothing_IsEmptyAndWellFormed()
    {
        var body = await _factory.CreateServiceClient("nobody-" + Guid.NewGuid()).GetFromJsonAsync<JsonElement>("/internal/billing/status");
        Assert.False(body.GetProperty("has_active_subscription").GetBoolean());
        Assert.Equal(0, body.GetProperty("subscriptions").GetArrayLength());
        Assert.Equal(0, body.GetProperty("purchases").GetArrayLength());
        Assert.Equal(0, body.GetProperty("grants").GetProperty("pending_credits").GetInt32());
        Assert.Equal(0, body.GetProperty("grants").GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Status_ShowsSubscriptionsPurchasesAndPendingGrants()
    {
        var user = "user-" + Guid.NewGuid().ToString("N");
        var period = BillingPeriod.Of(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(29));
        await using (var db = _database.CreateContext())
        {
            var subscription = Subscription.Start(UserId.From(user), SubscriptionSource.Stripe, ProductCatalog.StudioMonthly, "sub_" + user, period, period.Start, DateTimeOffset.UtcNow);
            subscription.RecordPaidPeriod(period, GrantKey.ForStripeInvoice("in_" + user), period.Start, DateTimeOffset.UtcNow);
            db.Subscriptions.Add(subscription);
            var purchase = Purchase.StartStripeCheckout(UserId.From(user), ProductCatalog.Starter, "cs_" + user, DateTimeOffset.UtcNow);
            purchase.MarkPaid("pi_" + user, DateTimeOffset.UtcNow);
            db.Purchases.Add(purchase);
            await db.SaveChangesAsync();
        }

        var body = await _factory.CreateServiceClient(user).GetFromJsonAsync<JsonElement>("/internal/billing/status");

        Assert.True(body.GetProperty("has_active_subscription").GetBoolean());
        var subscriptionJson = body.GetProperty("subscriptions")[0];
        Assert.Equal("studio", subscriptionJson.GetProperty("tier").GetString());
        Assert.Equal("active", subscriptionJson.GetProperty("status").GetString());
        Assert.Equal("stripe", subscriptionJson.GetProperty("source").GetString());
        Assert.Equal(1000, subscriptionJson.GetProperty("credits_per_period").GetInt32());
        Assert.Equal("paid", body.GetProperty("purchases")[0].GetProperty("status").GetString());
        Assert.Equal(1010, body.GetProperty("grants").GetProperty("pending_credits").GetInt32());
        Assert.Equal(2, body.GetProperty("grants").GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task RequestId_IsEchoed_AndMadeWhenAbsent()
    {
        var client = _factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health");
        request.Headers.Add("X-Request-ID", "req-abc-123");
        var echoed = await client.SendAsync(request);
        Assert.Equal("req-abc-123", echoed.Headers.GetValues("X-Request-ID").Single());

        var made = await client.GetAsync(new Uri("/health", UriKind.Relative));
        Assert.False(string.IsNullOrEmpty(made.Headers.GetValues("X-Request-ID").Single()));
    }

    [Fact]
    public async Task OpenApiDocument_IsServed()
    {
        var document = await _factory.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        Assert.True(document.GetProperty("paths").TryGetProperty("/internal/billing/products", out _));
    }

    [Fact]
    public async Task UnknownRoute_Answers404ProblemDetails()
    {
        var response = await _factory.CreateServiceClient().GetAsync(new Uri("/internal/billing/nope", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
