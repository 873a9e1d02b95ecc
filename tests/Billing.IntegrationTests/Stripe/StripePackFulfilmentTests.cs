using System.Text;
using Billing.Application.Inbox;
using Billing.Domain.Catalog;
using Billing.Domain.Common;
using Billing.Domain.Purchases;
using Billing.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Billing.IntegrationTests.Stripe;

public sealed class StripePackFulfilmentTests(BillingDatabase database) : IClassFixture<BillingDatabase>, IAsyncLifetime
{
    private StripeTestHost _host = null!;

    public async Task InitializeAsync() => _host = await StripeTestHost.StartAsync(database);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task CompletedAndAsyncSucceeded_ForOneSession_ProcessedConcurrently_GrantOnce()
    {
        var user = StripeTestHost.NewUser();
        var (sessionId, _) = await _host.CheckoutAsync(user, ProductCatalog.Studio.Id);
        var paid = _host.Stripe.MarkSessionPaid(sessionId);

        // Distinct events (and redeliveries under new ids) for the same session, all processed at once.
        var eventIds = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            eventIds.Add(await _host.DeliverAsync(i % 2 == 0 ? "checkout.session.completed" : "checkout.session.async_payment_succeeded", sessionId));
        }

        await _host.ProcessConcurrentlyAsync(await Task.WhenAll(eventIds.Select(_host.InboxIdAsync)));
        await _host.MakeRetriesDueAsync();
        await _host.ProcessInboxAsync();

        var grant = Assert.Single(await _host.GrantsAsync(user));
        Assert.Equal(500, grant.Amount);
        Assert.Equal(GrantKey.ForStripeCheckoutSession(sessionId), grant.GrantKey);
        var statuses = await Task.WhenAll(eventIds.Select(async id => (await _host.InboxRowAsync(id)).Status));
        Assert.Equal(1, statuses.Count(s => s == InboxStatus.Processed));
        Assert.Equal(5, statuses.Count(s => s == InboxStatus.Ignored));
        await using var db = database.CreateContext();
        var purchase = await db.Purchases.SingleAsync(p => p.ProviderPurchaseId == sessionId);
        Assert.Equal(PurchaseStatus.Paid, purchase.Status);
        Assert.Equal(paid.PaymentIntentId, purchase.ProviderPaymentId);
    }

    [Fact]
    public async Task AnEventOfAnotherApiVersion_IsAcknowledgedAndRecorded_ButNotProcessed_UntilTheEndpointSpeaksThePinnedOne()
    {
        var user = StripeTestHost.NewUser();
        var (sessionId, _) = await _host.CheckoutAsync(user, ProductCatalog.Explorer.Id);
        _host.Stripe.MarkSessionPaid(sessionId);
        var pinned = Encoding.UTF8.GetString(_host.Stripe.BuildEventForObject("checkout.session.completed", sessionId));
        Assert.Contains("\"api_version\":\"2026-10-28.endive\"", pinned, StringComparison.Ordinal);
        var otherVersion = Encoding.UTF8.GetBytes(pinned.Replace("2026-10-28.endive", "2025-03-31.basil", StringComparison.Ordinal));

        var eventId = await _host.DeliverPayloadAsync(otherVersion);
        await _host.ProcessInboxAsync();

        var row = await _host.InboxRowAsync(eventId);
        Assert.Equal(InboxStatus.Ignored, row.Status);
        Assert.Contains("2025-03-31.basil", row.LastError ?? string.Empty, StringComparison.Ordinal);
        Assert.Empty(await _host.GrantsAsync(user));

        // The same session's event in the pinned version is processed as usual.
        Assert.Equal(InboxStatus.Processed, await _host.DeliverAndProcessAsync("checkout.session.completed", sessionId));
        Assert.Single(await _host.GrantsAsync(user));
    }

    [Fact]
    public async Task ACompletedButUnpaidSession_GrantsNothing_UntilAsyncPaymentSucceeds()
    {
        var user = StripeTestHost.NewUser();
        var (sessionId, _) = await _host.CheckoutAsync(user, ProductCatalog.Explorer.Id);

        // A delayed payment method: the session completes before the money arrives.
        var completed = await _host.DeliverAndProcessAsync("checkout.session.completed", sessionId);
        Assert.Equal(InboxStatus.Ignored, completed);
        Assert.Empty(await _host.GrantsAsync(user));

        _host.Stripe.MarkSessionPaid(sessionId);
        Assert.Equal(InboxStatus.Processed, await _host.DeliverAndProcessAsync("checkout.session.async_payment_succeeded", sessionId));
        Assert.Equal(50, Assert.Single(await _host.GrantsAsync(user)).Amount);
    }

    [Fact]
    public async Task TheFrozenPayloadIsNotTrusted_ASessionStillUnpaidAtStripeGrantsNothing()
    {
        var user = StripeTestHost.NewUser();
        var (sessionId, _) = await _host.CheckoutAsync(user, ProductCatalog.Studio.Id);

        // A payload claiming "paid" (as one signed with a leaked secret, or a stale snapshot, could): only Stripe's answer counts.
        var forged = _host.Stripe.BuildEvent(
            "checkout.session.completed",
            $$"""{"id":"{{sessionId}}","object":"checkout.session","mode":"payment","payment_status":"paid","status":"complete"}""",
            id: "evt_" + Guid.NewGuid().ToString("N"));

        await _host.DeliverPayloadAsync(forged);
        await _host.ProcessInboxAsync();

        Assert.Empty(await _host.GrantsAsync(user));
    }

    [Fact]
    public async Task APaidSessionOpenedElsewhere_IsFulfilledFromItsMetadata()
    {
        var user = StripeTestHost.NewUser();
        var (sessionId, _) = await _host.CheckoutAsync(user, ProductCatalog.Starter.Id);
        await using (var db = database.CreateContext())
        {
            // As if our commit after Stripe's answer had been lost.
            await db.Purchases.Where(p => p.ProviderPurchaseId == sessionId).ExecuteDeleteAsync();
        }

        _host.Stripe.MarkSessionPaid(sessionId);
        Assert.Equal(InboxStatus.Processed, await _host.DeliverAndProcessAsync("checkout.session.completed", sessionId));

        Assert.Equal(10, Assert.Single(await _host.GrantsAsync(user)).Amount);
    }

    [Fact]
    public async Task AStripeOutageWhileReFetching_IsRetried_AndThenGrants()
    {
        var user = StripeTestHost.NewUser();
        var (sessionId, _) = await _host.CheckoutAsync(user, ProductCatalog.Explorer.Id);
        _host.Stripe.MarkSessionPaid(sessionId);
        var eventId = await _host.DeliverAsync("checkout.session.completed", sessionId);
        _host.Stripe.FailNext(2, 503, pathPrefix: "/v1/checkout/sessions/");

        await _host.ProcessInboxAsync();

        var failed = await _host.InboxRowAsync(eventId);
        Assert.Equal(InboxStatus.Received, failed.Status);
        Assert.Equal(1, failed.Attempts);
        Assert.Contains("StripeUnavailableException", failed.LastError, StringComparison.Ordinal);
        Assert.Empty(await _host.GrantsAsync(user));

        await _host.MakeRetriesDueAsync();
        await _host.ProcessInboxAsync();
        Assert.Equal(InboxStatus.Processed, (await _host.InboxRowAsync(eventId)).Status);
        Assert.Single(await _host.GrantsAsync(user));
    }

    [Fact]
    public async Task AnEventForASessionStripeDoesNotHave_IsRecordedAsIgnored()
    {
        var eventId = await _host.DeliverPayloadAsync(_host.Stripe.BuildEvent("checkout.session.completed", """{"id":"cs_test_gone","object":"checkout.session"}""", id: "evt_" + Guid.NewGuid().ToString("N")));
        await _host.ProcessInboxAsync();

        var row = await _host.InboxRowAsync(eventId);
        Assert.Equal(InboxStatus.Ignored, row.Status);
        Assert.Contains("does not exist at Stripe", row.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARefund_PartialThenFull_AfterTheCreditsWereGranted_ClawsBackProportionally_OncePerRefund()
    {
        var user = StripeTestHost.NewUser();
        var (sessionId, _) = await _host.CheckoutAsync(user, ProductCatalog.Explorer.Id); // 50 credits for $9.99
        var paid = _host.Stripe.MarkSessionPaid(sessionId);
        await _host.DeliverAndProcessAsync("checkout.session.completed", sessionId);

        var partial = _host.Stripe.Refund(paid.ChargeId!, 333);
        Assert.Equal(InboxStatus.Processed, await _host.DeliverAndProcessAsync("charge.refunded", paid.ChargeId!));
        Assert.Equal(InboxStatus.Ignored, await _host.DeliverAndProcessAsync("charge.refunded", paid.ChargeId!)); // another delivery

        var afterPartial = await _host.GrantsAsync(user);
        var firstClawback = Assert.Single(afterPartial, g => g.IsClawback);
        Assert.Equal(-16, firstClawback.Amount); // floor(50 × 333 / 999)
        Assert.Equal(TransactionType.Refund, firstClawback.TransactionType);
        Assert.Equal(GrantKey.ForStripeRefund(partial), firstClawback.GrantKey);
        await using (var db = database.CreateContext())
        {
            var purchase = await db.Purchases.SingleAsync(p => p.ProviderPurchaseId == sessionId);
            Assert.Equal(PurchaseStatus.PartiallyRefunded, purchase.Status);
            Assert.Equal(333, purchase.AmountRefundedMinor);
        }

        var rest = _host.Stripe.Refund(paid.ChargeId!, 666);
        Assert.Equal(InboxStatus.Processed, await _host.DeliverAndProcessAsync("charge.refunded", paid.ChargeId!));
        Assert.Equal(InboxStatus.Ignored, await _host.DeliverAndProcessAsync("charge.refunded", paid.ChargeId!));

        var grants = await _host.GrantsAsync(user);
        Assert.Equal(3, grants.Count);
        Assert.Equal(-34, Assert.Single(grants, g => g.GrantKey == GrantKey.ForStripeRefund(rest)).Amount);
        Assert.Equal(0, grants.Sum(g => g.Amount));
        await using (var db = database.CreateContext())
        {
            Assert.Equal(PurchaseStatus.Refunded, (await db.Purchases.SingleAsync(p => p.ProviderPurchaseId == sessionId)).Status);
        }
    }

    [Fact]
    public async Task TwoRefundsReportedByOneLateEvent_StillClawBackOncePerRefund()
    {
        var user = StripeTestHost.NewUser();
        var (sessionId, _) = await _host.CheckoutAsync(user, ProductCatalog.Creator.Id); // 150 credits for $24.99
        var paid = _host.Stripe.MarkSessionPaid(sessionId);
        await _host.DeliverAndProcessAsync("checkout.session.completed", sessionId);
        var first = _host.Stripe.Refund(paid.ChargeId!, 1000);
        var second = _host.Stripe.Refund(paid.ChargeId!, 499);

        await _host.DeliverAndProcessAsync("charge.refunded", paid.ChargeId!);

        var clawbacks = (await _host.GrantsAsync(user)).Where(g => g.IsClawback).ToList();
        Assert.Equal(2, clawbacks.Count);
        Assert.Equal(-60, Assert.Single(clawbacks, g => g.GrantKey == GrantKey.ForStripeRefund(first)).Amount); // floor(150 × 1000 / 2499)
        Assert.Equal(-29, Assert.Single(clawbacks, g => g.GrantKey == GrantKey.ForStripeRefund(second)).Amount); // floor(150 × 1499 / 2499) − 60
    }

    [Fact]
    public async Task ADispute_CreatedIsOnlyRecorded_LostClawsBackTheRemainder_OnceOnly()
    {
        var user = StripeTestHost.NewUser();
        var (sessionId, _) = await _host.CheckoutAsync(user, ProductCatalog.Explorer.Id);
        var paid = _host.Stripe.MarkSessionPaid(sessionId);
        await _host.DeliverAndProcessAsync("checkout.session.completed", sessionId);
        _host.Stripe.Refund(paid.ChargeId!, 333);
        await _host.DeliverAndProcessAsync("charge.refunded", paid.ChargeId!);

        var disputeId = _host.Stripe.CreateDispute(paid.ChargeId!);
        var createdEvent = await _host.DeliverAsync("charge.dispute.created", disputeId);
        await _host.ProcessInboxAsync();
        var createdRow = await _host.InboxRowAsync(createdEvent);
        Assert.Equal(InboxStatus.Ignored, createdRow.Status);
        Assert.Contains("recorded", createdRow.LastError, StringComparison.Ordinal);
        Assert.Equal(2, (await _host.GrantsAsync(user)).Count);

        _host.Stripe.SetDisputeStatus(disputeId, "lost");
        Assert.Equal(InboxStatus.Processed, await _host.DeliverAndProcessAsync("charge.dispute.closed", disputeId));
        Assert.Equal(InboxStatus.Ignored, await _host.DeliverAndProcessAsync("charge.dispute.closed", disputeId));

        var grants = await _host.GrantsAsync(user);
        var disputeClawback = Assert.Single(grants, g => g.GrantKey == GrantKey.ForStripeDispute(disputeId));
        Assert.Equal(-34, disputeClawback.Amount);
        Assert.Equal(TransactionType.Refund, disputeClawback.TransactionType);
        Assert.Equal(0, grants.Sum(g => g.Amount));
    }

    [Fact]
    public async Task ADisputeWon_RestoresNothing_BecauseNothingWasTaken()
    {
        var user = StripeTestHost.NewUser();
        var (sessionId, _) = await _host.CheckoutAsync(user, ProductCatalog.Starter.Id);
        var paid = _host.Stripe.MarkSessionPaid(sessionId);
        await _host.DeliverAndProcessAsync("checkout.session.completed", sessionId);
        var disputeId = _host.Stripe.CreateDispute(paid.ChargeId!);
        await _host.DeliverAndProcessAsync("charge.dispute.created", disputeId);

        _host.Stripe.SetDisputeStatus(disputeId, "won");
        Assert.Equal(InboxStatus.Ignored, await _host.DeliverAndProcessAsync("charge.dispute.closed", disputeId));

        Assert.Equal(10, Assert.Single(await _host.GrantsAsync(user)).Amount);
    }
}
