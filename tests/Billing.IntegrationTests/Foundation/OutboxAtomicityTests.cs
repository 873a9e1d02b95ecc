using Billing.Application.Behaviours;
using Billing.Application.Abstractions.Messaging;
using Billing.Domain.Catalog;
using Billing.Domain.Common;
using Billing.Domain.Grants;
using Billing.Domain.Purchases;
using Billing.Domain.Subscriptions;
using Billing.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace Billing.IntegrationTests.Foundation;

public sealed class OutboxAtomicityTests(BillingDatabase database) : IClassFixture<BillingDatabase>
{
    private sealed record MarkPaidCommand(string SessionId) : ICommand<bool>;

    [Fact]
    public async Task PaidPurchase_SavedInAUnitOfWork_WritesTheGrantRowWithItsKeyInTheSameCommit()
    {
        var sessionId = "cs_" + Guid.NewGuid().ToString("N");
        await SeedPendingPurchase(sessionId);

        await using var db = database.CreateContext();
        var granted = await RunInUnitOfWork(db, sessionId, async () =>
        {
            var purchase = await db.Purchases.SingleAsync(p => p.ProviderPurchaseId == sessionId);
            return purchase.MarkPaid("pi_1", DateTimeOffset.UtcNow);
        });

        Assert.True(granted);
        await using var check = database.CreateContext();
        var grant = await check.CreditGrants.SingleAsync(g => g.GrantKey == GrantKey.ForStripeCheckoutSession(sessionId));
        Assert.Equal(50, grant.Amount);
        Assert.Equal(TransactionType.StripePurchase, grant.TransactionType);
        Assert.Equal(CreditGrantStatus.Pending, grant.Status);
        Assert.Equal(nameof(PurchasePaid), grant.SourceEvent);
        Assert.Contains(sessionId, grant.Description, StringComparison.Ordinal);
        Assert.Equal(PurchaseStatus.Paid, (await check.Purchases.SingleAsync(p => p.ProviderPurchaseId == sessionId)).Status);
    }

    [Fact]
    public async Task UnitOfWork_WhenTheHandlerFailsAfterTheChange_LeavesNeitherTheAggregateChangeNorTheGrant()
    {
        var sessionId = "cs_" + Guid.NewGuid().ToString("N");
        await SeedPendingPurchase(sessionId);

        await using var db = database.CreateContext();
        await Assert.ThrowsAsync<InvalidOperationException>(() => RunInUnitOfWork(db, sessionId, async () =>
        {
            var purchase = await db.Purchases.SingleAsync(p => p.ProviderPurchaseId == sessionId);
            purchase.MarkPaid("pi_1", DateTimeOffset.UtcNow);
            await db.SaveChangesAsync(); // rows are written inside the transaction...
            throw new InvalidOperationException("crash before commit"); // ...and rolled back with it.
        }));

        await using var check = database.CreateContext();
        Assert.Equal(PurchaseStatus.Pending, (await check.Purchases.SingleAsync(p => p.ProviderPurchaseId == sessionId)).Status);
        Assert.False(await check.CreditGrants.AnyAsync(g => g.GrantKey == GrantKey.ForStripeCheckoutSession(sessionId)));
    }

    [Fact]
    public async Task ConcurrentMarkPaid_OfTheSamePurchase_WritesExactlyOneGrant()
    {
        var sessionId = "cs_" + Guid.NewGuid().ToString("N");
        await SeedPendingPurchase(sessionId);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            await using var db = database.CreateContext();
            return await RunInUnitOfWork(db, sessionId, async () =>
            {
                var purchase = await db.Purchases.SingleAsync(p => p.ProviderPurchaseId == sessionId);
                await Task.Delay(20); // widen the race: every writer reads "pending" first
                return purchase.MarkPaid("pi_1", DateTimeOffset.UtcNow);
            });
        }));

        Assert.Equal(1, results.Count(r => r));
        Assert.Equal(1, await database.ScalarAsync($"SELECT count(*) FROM credit_grants WHERE grant_key = 'stripe:checkout:{sessionId}'"));
    }

    [Fact]
    public async Task SubscriptionPeriod_SavedTwiceFromTwoWriters_IsGrantedOnce()
    {
        var subscriptionId = "sub_" + Guid.NewGuid().ToString("N");
        var period = BillingPeriod.Of(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero));
        await using (var seed = database.CreateContext())
        {
            seed.Subscriptions.Add(Subscription.Start(UserId.From("user-sub"), SubscriptionSource.Stripe, ProductCatalog.CreatorMonthly, subscriptionId, period, period.Start, DateTimeOffset.UtcNow));
            await seed.SaveChangesAsync();
        }

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(async i =>
        {
            await using var db = database.CreateContext();
            return await RunInUnitOfWork(db, subscriptionId, async () =>
            {
                var subscription = await db.Subscriptions.SingleAsync(s => s.ProviderSubscriptionId == subscriptionId);
                await Task.Delay(20);
                return subscription.RecordPaidPeriod(period, GrantKey.ForStripeInvoice($"in_{i}"), period.Start, DateTimeOffset.UtcNow);
            });
        }));

        Assert.Equal(1, results.Count(r => r));
        await using var check = database.CreateContext();
        var grants = await check.CreditGrants.Where(g => g.UserId == UserId.From("user-sub")).ToListAsync();
        Assert.Single(grants);
        Assert.Equal(300, grants[0].Amount);
        Assert.Single((await check.Subscriptions.SingleAsync(s => s.ProviderSubscriptionId == subscriptionId)).PaidPeriods);
    }

    private async Task SeedPendingPurchase(string sessionId)
    {
        await using var seed = database.CreateContext();
        seed.Purchases.Add(Purchase.StartStripeCheckout(UserId.From("user-1"), ProductCatalog.Explorer, sessionId, DateTimeOffset.UtcNow));
        await seed.SaveChangesAsync();
    }

    private static Task<bool> RunInUnitOfWork(Billing.Infrastructure.Persistence.BillingDbContext db, string id, Func<Task<bool>> work) =>
        new UnitOfWorkBehaviour<MarkPaidCommand, bool>(db, NullLogger<UnitOfWorkBehaviour<MarkPaidCommand, bool>>.Instance)
            .Handle(new MarkPaidCommand(id), CancellationToken.None, () => work());
}
