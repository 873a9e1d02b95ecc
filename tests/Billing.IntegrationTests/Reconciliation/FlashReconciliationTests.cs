using Billing.Application.Audit;
using Billing.Application.Reconciliation;
using Billing.Application.Reconciliation.RunReconciliation;
using Billing.Domain.Common;
using Billing.Domain.Grants;
using Billing.IntegrationTests.Grants;
using Billing.IntegrationTests.Infrastructure;
using MediatR;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.IntegrationTests.Reconciliation;

/// <summary>Billing ↔ Flash: delivered grants must be in the user's Flash history (gateway-signed Flash fake, real database).</summary>
public sealed class FlashReconciliationTests(BillingDatabase database) : IClassFixture<BillingDatabase>
{
    private static readonly AuditContext By = new("cli:tester", "flash check");

    [Fact]
    public async Task AGrantMissingAtFlash_AndOneWithAnotherAmount_AreRaised_TheDeliveredOnesPass_AndASecondRunFindsNothingNew()
    {
        await using var kit = await GrantTestKit.StartAsync(database, signed: true);
        var user = kit.Flash.AddUserWithId("flash-" + Guid.NewGuid().ToString("N")[..12]);
        var delivered = await kit.SeedGrantsAsync(user, 3, amount: 25);
        await kit.DrainAsync(TimeSpan.FromSeconds(10));
        Assert.All((await kit.GrantsAsync(delivered)).Values, g => Assert.Equal(CreditGrantStatus.Delivered, g.Status));

        // Billing believes these were delivered; Flash never got the first, and got the second with another amount.
        var missing = await SeedDeliveredAsync(user, 40);
        var wrongAmount = await SeedDeliveredAsync(user, 60);
        kit.Flash.AppendLedgerEntry(user, 6, "admin_grant", $"Test grant of 60 [{wrongAmount}]", DateTimeOffset.UtcNow);

        var first = await RunAsync(kit.Services);
        Assert.Equal("completed", first.Status);
        Assert.Equal(5, first.Examined);
        Assert.Equal(2, first.FindingsNew);
        var missingFinding = Assert.Single(first.Findings, f => f.ObjectKey == missing);
        Assert.Equal((FindingKinds.FlashGrantMissing, FindingStatuses.Open, user), (missingFinding.Kind, missingFinding.Status, missingFinding.UserId));
        var mismatch = Assert.Single(first.Findings, f => f.ObjectKey == wrongAmount);
        Assert.Equal((FindingKinds.FlashAmountMismatch, "60 credits", "6 credits in Flash's history"), (mismatch.Kind, mismatch.Expected, mismatch.Actual));
        Assert.DoesNotContain(first.Findings, f => delivered.Contains(f.ObjectKey));

        // Raised, never resent: nothing more reached Flash.
        Assert.Equal(0, kit.Flash.GrantCountWithDescription(missing));

        var second = await RunAsync(kit.Services);
        Assert.Equal(0, second.FindingsNew);
        Assert.Equal(2, second.Findings.Count);
        Assert.Equal(1, await database.ScalarAsync($"SELECT count(*) FROM reconciliation_findings WHERE object_key = '{missing}'"));
    }

    [Fact]
    public async Task WithoutGatewaySigning_FlashIsNotConfiguredForReconciliation_AndNothingRuns()
    {
        await using var kit = await GrantTestKit.StartAsync(database, signed: false);
        var result = await RunAsync(kit.Services);
        Assert.Equal("not_configured", result.Status);
        Assert.Contains("FLASH_GATEWAY_SIGNING_SECRET", result.Note, StringComparison.Ordinal);
    }

    private async Task<string> SeedDeliveredAsync(string userId, int amount)
    {
        await using var db = database.CreateContext();
        var key = GrantKey.Parse($"test:grant:{Guid.NewGuid():N}");
        var grant = CreditGrant.FromRequest(new CreditGrantRequest(UserId.From(userId), amount, TransactionType.StripePurchase, key, $"Test grant of {amount} [{key}]"), "Test", DateTimeOffset.UtcNow);
        grant.MarkDelivered(null, DateTimeOffset.UtcNow);
        db.CreditGrants.Add(grant);
        await db.SaveChangesAsync();
        return key.Value;
    }

    private static async Task<ReconciliationRunResponse> RunAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new RunReconciliationCommand(ReconciliationSources.Flash, TimeSpan.FromHours(1), false, By, ReconciliationTriggers.Cli));
    }
}
