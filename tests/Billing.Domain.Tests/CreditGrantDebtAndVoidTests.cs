using Billing.Domain.Catalog;
using Billing.Domain.Common;
using Billing.Domain.Grants;
using static Billing.Domain.Tests.TestData;

namespace Billing.Domain.Tests;

public sealed class CreditGrantDebtAndVoidTests
{
    private static CreditGrant Grant(int amount, string id, UserId? user = null)
    {
        var key = amount < 0 ? GrantKey.ForStripeRefund(id) : GrantKey.ForStripeInvoice(id);
        var type = amount < 0 ? TransactionType.Refund : TransactionType.SubscriptionGrant;
        return CreditGrant.FromRequest(new CreditGrantRequest(user ?? User, amount, type, key, $"test [{key}]"), "Test", T0);
    }

    private static CreditGrant OwedDebt(int amount)
    {
        var debt = Grant(-amount, "re_" + Guid.NewGuid().ToString("N"));
        debt.MarkOwedDebt("no debit route", T0);
        return debt;
    }

    [Fact]
    public void NetAgainst_ASmallerDebt_WithholdsAllOfIt_SendsTheRest_AndSettlesTheDebt()
    {
        var debt = OwedDebt(30);
        var grant = Grant(100, "in_1");

        var netted = grant.NetAgainst(debt, At(5));

        Assert.Equal(30, netted);
        Assert.Equal(30, grant.NettedCredits);
        Assert.Equal(debt.Id, grant.NettedDebtGrantId);
        Assert.Equal(70, grant.AmountToSend);
        Assert.Equal(100, grant.Amount); // the grant keeps what the payment was worth
        Assert.Equal(CreditGrantStatus.Pending, grant.Status);
        Assert.Equal(30, debt.DebtCollected);
        Assert.Equal(0, debt.OutstandingDebt);
        Assert.Equal(CreditGrantStatus.Delivered, debt.Status);
        Assert.Equal(GrantConfirmation.Netting, debt.DeliveredVia);
        Assert.Equal(30, debt.CreditsDebited);
    }

    [Fact]
    public void NetAgainst_ALargerDebt_TakesTheWholeGrant_WhichHasNothingLeftToSend()
    {
        var debt = OwedDebt(150);
        var grant = Grant(100, "in_2");

        Assert.Equal(100, grant.NetAgainst(debt, At(5)));

        Assert.Equal(0, grant.AmountToSend);
        Assert.Equal(CreditGrantStatus.Delivered, grant.Status);
        Assert.Equal(GrantConfirmation.Netting, grant.DeliveredVia);
        Assert.Equal(CreditGrantStatus.OwedDebt, debt.Status);
        Assert.Equal(50, debt.OutstandingDebt);
        Assert.Equal(-50, debt.AmountToSend); // a requeued debt only debits what is still owed

        var next = Grant(20, "in_3");
        Assert.Equal(20, next.NetAgainst(debt, At(6)));
        Assert.Equal(30, debt.OutstandingDebt);
    }

    [Fact]
    public void NetAgainst_IsRefusedForClawbacks_AttemptedGrants_AndGrantsAlreadyNetted()
    {
        var debt = OwedDebt(10);
        Assert.Throws<DomainException>(() => Grant(-5, "re_x").NetAgainst(debt, At(1)));

        var attempted = Grant(10, "in_4");
        attempted.StartAttempt(At(1), At(2));
        Assert.Throws<DomainException>(() => attempted.NetAgainst(debt, At(1)));

        var netted = Grant(10, "in_5");
        netted.NetAgainst(OwedDebt(5), At(1));
        Assert.Throws<DomainException>(() => netted.NetAgainst(debt, At(1)));
        Assert.Equal(10, debt.OutstandingDebt);
    }

    [Fact]
    public void NetAgainst_ADebtAlreadyCollected_NetsNothing()
    {
        var debt = OwedDebt(10);
        Grant(10, "in_6").NetAgainst(debt, At(1));
        var later = Grant(10, "in_7");

        Assert.Equal(0, later.NetAgainst(debt, At(2)));
        Assert.Null(later.NettedDebtGrantId);
        Assert.Equal(10, later.AmountToSend);
    }

    [Fact]
    public void Void_ANeverAttemptedClawback_OwedDebt_OrDead_IsTerminal()
    {
        var pending = Grant(-10, "re_p");
        var owed = OwedDebt(10);
        var dead = Grant(-10, "re_d");
        dead.MarkRejected("refused", At(1));

        foreach (var clawback in new[] { pending, owed, dead })
        {
            Assert.True(clawback.CanBeVoided);
            clawback.Void("reversed", At(3));
            Assert.Equal(CreditGrantStatus.Voided, clawback.Status);
            Assert.False(clawback.CanBeVoided);
            Assert.Throws<DomainException>(() => clawback.Requeue(At(4)));
            Assert.Throws<DomainException>(() => clawback.StartAttempt(At(4), At(5)));
        }
    }

    [Fact]
    public void Void_IsRefusedForAClawbackThatMayHaveReachedFlash_ForAppliedOnes_AndForPositiveGrants()
    {
        var inFlight = Grant(-10, "re_f");
        inFlight.StartAttempt(At(1), At(2));
        var ambiguous = Grant(-10, "re_a");
        ambiguous.StartAttempt(At(1), At(2));
        ambiguous.RecordAmbiguous("timeout", At(2), At(3));
        var inDoubt = Grant(-10, "re_i");
        inDoubt.MarkInDoubt("no history", At(1));
        var delivered = Grant(-10, "re_v");
        delivered.MarkDelivered(0, At(1));

        foreach (var grant in new[] { inFlight, ambiguous, inDoubt, delivered, Grant(10, "in_8") })
        {
            Assert.False(grant.CanBeVoided);
            Assert.Throws<DomainException>(() => grant.Void("reversed", At(3)));
        }
    }

    [Fact]
    public void CreditsDebited_IsTheWholeClawbackOnceDelivered_ElseWhatNettingCollected()
    {
        var delivered = Grant(-40, "re_1");
        delivered.MarkDelivered(10, At(1));
        var owed = OwedDebt(40);
        Grant(15, "in_9").NetAgainst(owed, At(1));
        owed.Void("reversed", At(2));

        Assert.Equal(40, delivered.CreditsDebited);
        Assert.Equal(15, owed.CreditsDebited);
        Assert.Equal(0, Grant(-40, "re_2").CreditsDebited);
        Assert.Equal(0, Grant(40, "in_10").CreditsDebited);
    }

    [Fact]
    public void ReverseRefund_RestoresOnlyTheCreditsDebited_AtMostWhatWasClawedBack()
    {
        var purchase = PaidApple(ProductCatalog.Explorer);
        purchase.RecordFullRefund(GrantKey.ForAppleRefund("2000000123", "n1"), At(3));
        purchase.ClearDomainEvents();

        Assert.True(purchase.ReverseRefund(GrantKey.ForAppleRefundReversal("2000000123", "n2"), Credits.Of(20), At(4)));
        var restore = Assert.Single(purchase.DomainEvents.OfType<ICreditsOwedEvent>());
        Assert.Equal(20, restore.Grant.Amount);

        var again = PaidApple(ProductCatalog.Explorer, "2000000124");
        again.RecordFullRefund(GrantKey.ForAppleRefund("2000000124", "n1"), At(3));
        again.ClearDomainEvents();
        Assert.True(again.ReverseRefund(GrantKey.ForAppleRefundReversal("2000000124", "n2"), Credits.Of(500), At(4)));
        Assert.Equal(50, Assert.Single(again.DomainEvents.OfType<ICreditsOwedEvent>()).Grant.Amount);

        var nothingTaken = PaidApple(ProductCatalog.Explorer, "2000000125");
        nothingTaken.RecordFullRefund(GrantKey.ForAppleRefund("2000000125", "n1"), At(3));
        nothingTaken.ClearDomainEvents();
        Assert.True(nothingTaken.ReverseRefund(GrantKey.ForAppleRefundReversal("2000000125", "n2"), Credits.Zero, At(4)));
        Assert.Empty(nothingTaken.DomainEvents.OfType<ICreditsOwedEvent>());
        Assert.Equal(Purchases.PurchaseStatus.Paid, nothingTaken.Status);
    }

    [Fact]
    public void ReversePeriodRefund_RestoresOnlyTheCreditsDebited()
    {
        var subscription = Subscriptions.Subscription.Start(User, Subscriptions.SubscriptionSource.Apple, ProductCatalog.ExplorerMonthly, "orig", Month(0), T0, T0);
        var paid = GrantKey.ForAppleTransaction("t1");
        subscription.RecordPaidPeriod(Month(0), paid, T0, T0);
        subscription.RefundPeriod(paid, GrantKey.ForAppleRefund("t1", "n1"), At(5));
        subscription.ClearDomainEvents();

        Assert.True(subscription.ReversePeriodRefund(paid, GrantKey.ForAppleRefundReversal("t1", "n2"), Credits.Zero, At(6)));
        Assert.Empty(subscription.DomainEvents.OfType<ICreditsOwedEvent>());
        Assert.Null(subscription.PaidPeriods[0].RefundedAt);
        Assert.False(subscription.ReversePeriodRefund(paid, GrantKey.ForAppleRefundReversal("t1", "n3"), Credits.Of(100), At(7)));
    }

    [Fact]
    public void RecordPaidPeriod_WithTheCreditsOfThePaidObject_GrantsThose_AndZeroRecordsThePeriodWithoutAGrant()
    {
        var subscription = Subscriptions.Subscription.Start(User, Subscriptions.SubscriptionSource.Stripe, ProductCatalog.ExplorerMonthly, "sub_1", Month(0), T0, T0);
        subscription.ClearDomainEvents();

        Assert.True(subscription.RecordPaidPeriod(Month(0), Invoice(0), T0, T0, Credits.Of(300)));
        Assert.Equal(300, Assert.Single(subscription.DomainEvents.OfType<ICreditsOwedEvent>()).Grant.Amount);
        subscription.ClearDomainEvents();

        Assert.True(subscription.RecordPaidPeriod(Month(1), Invoice(1), T0, T0, Credits.Zero));
        Assert.Empty(subscription.DomainEvents.OfType<ICreditsOwedEvent>());
        Assert.True(subscription.HasPaidPeriod(Month(1).Start));
        Assert.False(subscription.RecordPaidPeriod(Month(1), Invoice(2), T0, T0));
    }

    [Fact]
    public void ApplePurchase_ThatGrantsNothing_IsPaid_WithZeroCredits_AndNoGrant_AndItsRefundClawsBackNothing()
    {
        var purchase = Purchase(grants: false);

        Assert.Equal(Purchases.PurchaseStatus.Paid, purchase.Status);
        Assert.Equal("Sandbox", purchase.Environment);
        Assert.Equal(Credits.Zero, purchase.Credits);
        Assert.Empty(purchase.DomainEvents.OfType<ICreditsOwedEvent>());
        purchase.RecordFullRefund(GrantKey.ForAppleRefund("t9", "n1"), At(3));
        Assert.Empty(purchase.DomainEvents.OfType<ICreditsOwedEvent>());

        var granted = Purchase(grants: true);
        var grant = Assert.Single(granted.DomainEvents.OfType<ICreditsOwedEvent>()).Grant;
        Assert.Equal(50, grant.Amount);
        Assert.Equal("Sandbox", grant.Environment);
    }

    private static Purchases.Purchase Purchase(bool grants) =>
        Purchases.Purchase.RecordApplePurchase(User, ProductCatalog.Explorer, "t9", "t9", null, At(1), At(2), "Sandbox", grants);
}
