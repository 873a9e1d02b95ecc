using System.Net;
using System.Net.Http.Json;
using Billing.Domain.Catalog;
using Billing.IntegrationTests.Infrastructure;

namespace Billing.IntegrationTests.Stripe;

/// <summary>
/// The first checkout of a user claims the creation of its Stripe customer; concurrent ones wait for the link with no
/// transaction open (docs/decisions/0016). The integration host fails any Stripe call made inside a transaction.
/// </summary>
public sealed class CheckoutCustomerClaimTests(BillingDatabase database) : IClassFixture<BillingDatabase>, IAsyncLifetime
{
    private StripeTestHost _host = null!;

    public async Task InitializeAsync() => _host = await StripeTestHost.StartAsync(database, new Dictionary<string, string?> { ["STRIPE_TIMEOUT_SECONDS"] = "10" });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task ConcurrentFirstCheckouts_WhileStripeIsSlowToCreateTheCustomer_WaitForTheOneCreation()
    {
        var user = StripeTestHost.NewUser();
        _host.Stripe.DelayNext(1, TimeSpan.FromSeconds(1.5), pathPrefix: "/v1/customers");

        var started = DateTime.UtcNow;
        var sessions = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _host.CheckoutAsync(user, ProductCatalog.Starter.Id)));

        // The waiters follow the link as soon as it commits, not when the creator's 30 s claim runs out.
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(15), $"the checkouts took {(DateTime.UtcNow - started).TotalSeconds:0.0} s");

        Assert.Equal(8, sessions.Select(s => s.SessionId).Distinct().Count());
        Assert.Single(_host.Stripe.RequestsTo("POST", "/v1/customers"));
        Assert.Single(_host.Stripe.RequestsTo("POST", "/v1/checkout/sessions").Select(c => c.Field("customer")).Distinct());
        Assert.Equal(1, await database.ScalarAsync($"SELECT count(*) FROM customers WHERE user_id = '{user}' AND stripe_customer_id IS NOT NULL AND stripe_customer_claimed_until IS NULL"));
        Assert.Equal(8, await database.ScalarAsync($"SELECT count(*) FROM purchases WHERE user_id = '{user}' AND status = 'pending'"));
    }

    [Fact]
    public async Task AFailedCustomerCreation_ReleasesItsClaim_SoTheNextCheckoutProceedsAtOnce()
    {
        var user = StripeTestHost.NewUser();
        await using (var command = database.DataSource.CreateCommand(
            $"INSERT INTO customers (id, user_id, created_at) VALUES ('{Guid.NewGuid()}', '{user}', now())"))
        {
            await command.ExecuteNonQueryAsync(); // registered by an earlier visit, no Stripe customer yet
        }

        _host.Stripe.FailNext(2, 500, pathPrefix: "/v1/customers");
        var failed = await _host.Client(user).PostAsJsonAsync("/internal/billing/stripe/checkout", new { product_id = ProductCatalog.Starter.Id });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Equal(1, await database.ScalarAsync($"SELECT count(*) FROM customers WHERE user_id = '{user}' AND stripe_customer_claimed_until IS NULL"));

        var started = DateTime.UtcNow;
        await _host.CheckoutAsync(user, ProductCatalog.Starter.Id);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10), "the released claim is not waited for");
    }
}
