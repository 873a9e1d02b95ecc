using Billing.Application.Inbox;
using Billing.Domain.Catalog;
using Billing.Domain.Common;
using Billing.Domain.Grants;
using Billing.Domain.Purchases;
using Billing.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Billing.IntegrationTests.Stripe;

/// <summary>A dispute lost (clawed back) and then won restores only what the clawback really took (docs/decisions/0011).</summary>
public sealed class StripeDisputeReversalTests(BillingDatabase database) : IClassFixture<BillingDatabase>, IAsyncLifetime
{
    private StripeTestHost _host = null!;

    public async Task InitializeAsync() => _host = await StripeTestHost.StartAsync(database);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task WonAfterLost_BeforeTheClawbackWasApplied_VoidsIt_AndRestoresNothing()
    {
        var (user, disputeId) = await LostDisputeAsync();

        _host.Stripe.SetDisputeStatus(disputeId, "won");
        Assert.Equal(InboxStatus.Processed, await _host.DeliverAndProcessAsync("charge.dispute.closed", disputeId));

        var grants = await _host.GrantsAsync(user);
        Assert.Equal(CreditGrantStatus.Voided, Assert.Single(grants, g => g.GrantKey == GrantKey.ForStripeDispute(disputeId)).Status);
        Assert.DoesNotContain(grants, g => g.GrantKey == GrantKey.ForStripeDisputeWon(disputeId));
        Assert.Equal(50, grants.Where(g => g.Status != CreditGrantStatus.Voided).Sum(g => g.Amount));
        Assert.Equal(PurchaseStatus.Paid, (await PurchaseAsync(user)).Status);
    }

    [Fact]
    public async Task WonAfterLost_OnceTheClawbackWasApplied_RestoresIt_Once()
    {
        var (user, disputeId) = await LostDisputeAsync();
        await using (var command = database.DataSource.CreateCommand($"UPDATE credit_grants SET status = 'delivered', delivered_at = now() WHERE grant_key = 'stripe:dispute:{disputeId}'"))
        {
            await command.ExecuteNonQueryAsync();
        }

        _host.Stripe.SetDisputeStatus(disputeId, "won");
        Assert.Equal(InboxStatus.Processed, await _host.DeliverAndProcessAsync("charge.dispute.closed", disputeId));
        Assert.Equal(InboxStatus.Ignored, await _host.DeliverAndProcessAsync("charge.dispute.closed", disputeId));

        var grants = await _host.GrantsAsync(user);
        var restore = Assert.Single(grants, g => g.GrantKey == GrantKey.ForStripeDisputeWon(disputeId));
        Assert.Equal(50, restore.Amount);
        Assert.Equal(50, grants.Sum(g => g.Amount)); // +50 paid, −50 lost, +50 won
        var purchase = await PurchaseAsync(user);
        Assert.Equal(PurchaseStatus.Paid, purchase.Status);
        Assert.Equal(Credits.Zero, purchase.CreditsClawedBack);
    }

    private async Task<(string User, string DisputeId)> LostDisputeAsync()
    {
        var user = StripeTestHost.NewUser();
        var (sessionId, _) = await _host.CheckoutAsync(user, ProductCatalog.Explorer.Id);
        var paid = _host.Stripe.MarkSessionPaid(sessionId);
        await _host.DeliverAndProcessAsync("checkout.session.completed", sessionId);
        var disputeId = _host.Stripe.CreateDispute(paid.ChargeId!);
        _host.Stripe.SetDisputeStatus(disputeId, "lost");
        Assert.Equal(InboxStatus.Processed, await _host.DeliverAndProcessAsync("charge.dispute.closed", disputeId));
        Assert.Equal(-50, Assert.Single(await _host.GrantsAsync(user), g => g.GrantKey == GrantKey.ForStripeDispute(disputeId)).Amount);
        return (user, disputeId);
    }

    private async Task<Purchase> PurchaseAsync(string user)
    {
        await using var db = database.CreateContext();
        var id = UserId.From(user);
        return await db.Purchases.AsNoTracking().SingleAsync(p => p.UserId == id);
    }
}
