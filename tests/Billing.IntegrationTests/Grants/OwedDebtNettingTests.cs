using Billing.Domain.Catalog;
using Billing.Domain.Common;
using Billing.Domain.Grants;
using Billing.Domain.Purchases;
using Billing.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Billing.IntegrationTests.Grants;

/// <summary>Owed debt is collected from the user's next positive grants (docs/decisions/0012), on real PostgreSQL and the Flash fake.</summary>
public sealed class OwedDebtNettingTests(BillingDatabase database) : IClassFixture<BillingDatabase>
{
    [Fact]
    public async Task ANewGrant_PaysTheOwedDebtFirst_KeepsItsKey_LinksTheDebt_AndFlashReceivesOnlyTheRest()
    {
        await using var kit = await GrantTestKit.StartAsync(database, signed: true);
        var user = kit.Flash.AddUser(Guid.NewGuid().ToString(), balance: 0);
        var debtKey = await OwedDebtAsync(user, 30);

        var grantKey = await BuyAppleAsync(user, ProductCatalog.Explorer); // 50 credits
        await kit.DrainAsync(TimeSpan.FromSeconds(20));

        var rows = await kit.GrantsAsync([debtKey, grantKey]);
        var grant = rows[grantKey];
        var debt = rows[debtKey];
        Assert.Equal(CreditGrantStatus.Delivered, grant.Status);
        Assert.Equal(50, grant.Amount);
        Assert.Equal(30, grant.NettedCredits);
        Assert.Equal(debt.Id, grant.NettedDebtGrantId);
        Assert.Equal(CreditGrantStatus.Delivered, debt.Status);
        Assert.Equal(GrantConfirmation.Netting, debt.DeliveredVia);
        Assert.Equal(30, debt.DebtCollected);
        var sent = Assert.Single(kit.Flash.Grants, g => g.Description?.Contains($"[{grantKey}]", StringComparison.Ordinal) == true);
        Assert.Equal(20, sent.Amount);
        Assert.Equal(20, kit.Flash.BalanceOf(user));
    }

    [Fact]
    public async Task ADebtLargerThanTheGrant_TakesItWhole_NothingIsSent_AndTheNextGrantPaysTheRest()
    {
        await using var kit = await GrantTestKit.StartAsync(database, signed: true);
        var user = kit.Flash.AddUser(Guid.NewGuid().ToString(), balance: 0);
        var debtKey = await OwedDebtAsync(user, 55);

        var first = await BuyAppleAsync(user, ProductCatalog.Explorer); // 50: all of it pays the debt
        var afterFirst = (await kit.GrantsAsync([first, debtKey]));
        Assert.Equal(CreditGrantStatus.Delivered, afterFirst[first].Status);
        Assert.Equal(GrantConfirmation.Netting, afterFirst[first].DeliveredVia);
        Assert.Equal(CreditGrantStatus.OwedDebt, afterFirst[debtKey].Status);
        Assert.Equal(5, afterFirst[debtKey].OutstandingDebt);

        var second = await BuyAppleAsync(user, ProductCatalog.Starter); // 10: 5 pay the rest
        await kit.DrainAsync(TimeSpan.FromSeconds(20));

        var rows = await kit.GrantsAsync([first, second, debtKey]);
        Assert.Equal(5, rows[second].NettedCredits);
        Assert.Equal(CreditGrantStatus.Delivered, rows[debtKey].Status);
        Assert.Equal(55, rows[debtKey].DebtCollected);
        Assert.DoesNotContain(kit.Flash.Grants, g => g.Description?.Contains($"[{first}]", StringComparison.Ordinal) == true);
        Assert.Equal(5, Assert.Single(kit.Flash.Grants, g => g.Description?.Contains($"[{second}]", StringComparison.Ordinal) == true).Amount);
        Assert.Equal(5, kit.Flash.BalanceOf(user));
    }

    [Fact]
    public async Task TwoGrantsAtOnce_CollectTheSameDebtOnlyOnce()
    {
        await using var kit = await GrantTestKit.StartAsync(database, signed: true);
        var user = kit.Flash.AddUser(Guid.NewGuid().ToString(), balance: 0);
        var debtKey = await OwedDebtAsync(user, 40);

        var keys = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => BuyAppleWithRetryAsync(user, ProductCatalog.Explorer)));

        var rows = await kit.GrantsAsync([.. keys, debtKey]);
        Assert.Equal(40, keys.Sum(k => rows[k].NettedCredits));
        Assert.Equal(40, rows[debtKey].DebtCollected);
        Assert.Equal(CreditGrantStatus.Delivered, rows[debtKey].Status);
    }

    private async Task<string> OwedDebtAsync(string user, int credits)
    {
        var key = GrantKey.ForStripeRefund("re_" + Guid.NewGuid().ToString("N"));
        await using var db = database.CreateContext();
        var debt = CreditGrant.FromRequest(new CreditGrantRequest(UserId.From(user), -credits, TransactionType.Refund, key, $"Refund [{key}]"), "Test", DateTimeOffset.UtcNow.AddMinutes(-5));
        debt.MarkOwedDebt("declined: already spent", DateTimeOffset.UtcNow.AddMinutes(-4));
        db.CreditGrants.Add(debt);
        await db.SaveChangesAsync();
        return key.Value;
    }

    private async Task<string> BuyAppleAsync(string user, CreditPack pack)
    {
        var transactionId = Guid.NewGuid().ToString("N");
        await using var db = database.CreateContext();
        await using var transaction = await db.Database.BeginTransactionAsync();
        db.Purchases.Add(Purchase.RecordApplePurchase(UserId.From(user), pack, transactionId, transactionId, null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow));
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        return GrantKey.ForAppleTransaction(transactionId).Value;
    }

    /// <summary>As the unit of work does: a write conflict on the debt row re-runs the purchase on fresh state.</summary>
    private async Task<string> BuyAppleWithRetryAsync(string user, CreditPack pack)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await BuyAppleAsync(user, pack);
            }
            catch (DbUpdateConcurrencyException) when (attempt < 20)
            {
                await Task.Delay(Random.Shared.Next(5, 30));
            }
        }
    }
}
