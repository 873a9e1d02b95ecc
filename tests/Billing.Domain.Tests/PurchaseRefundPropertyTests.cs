using Billing.Domain.Catalog;
using Billing.Domain.Common;
using Billing.Domain.Purchases;
using FsCheck;
using FsCheck.Fluent;
using static Billing.Domain.Tests.TestData;

namespace Billing.Domain.Tests;

/// <summary>Refund arithmetic over any pack, any price paid and any sequence of cumulative refunds.</summary>
public class PurchaseRefundPropertyTests
{
    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(300);

    public sealed record Scenario(CreditPack Pack, bool Apple, long Price, long[] Cumulative)
    {
        public Purchase Pay()
        {
            var purchase = Apple
                ? Purchase.RecordApplePurchase(User, Pack, "2000000123", null, Money.Usd(Price), At(1), At(1))
                : Purchase.StartStripeCheckout(User, Pack, "cs_1", T0);
            purchase.MarkPaid("pi_1", At(1));
            return purchase;
        }

        public int ExpectedClawback(long cumulative) =>
            cumulative == Price ? Pack.Credits.Value : (int)(Pack.Credits.Value * cumulative / Price);

        public override string ToString() => $"{Pack.Name} {(Apple ? "apple" : "stripe")} price={Price} refunds=[{string.Join(",", Cumulative)}]";
    }

    /// <summary>A pack, a price (the list price for Stripe, any price paid for Apple) and 1–8 distinct cumulative refunds in increasing order, often ending in a full refund.</summary>
    private static Gen<Scenario> Scenarios(bool endFullOnly = false) =>
        from pack in Gen.Elements(ProductCatalog.Packs.ToArray())
        from apple in Gen.Elements(false, true)
        from applePrice in Gen.Choose(1, 20_000)
        let price = apple ? applePrice : pack.Price.MinorUnits
        from count in Gen.Choose(1, 8)
        from amounts in Gen.ArrayOf(Gen.Choose(1, (int)price), count)
        from endFull in endFullOnly ? Gen.Constant(true) : Gen.Elements(false, true)
        let cumulative = amounts.Select(a => (long)a).Concat(endFull ? [price] : []).Distinct().Order().ToArray()
        select new Scenario(pack, apple, price, cumulative);

    [Fact]
    public void IncreasingRefunds_AnyPack_ClawbackNeverExceedsCreditsAndSumsBalance()
    {
        var property = Prop.ForAll(Scenarios().ToArbitrary(), scenario =>
        {
            var purchase = scenario.Pay();
            var previous = Credits.Zero;
            for (var i = 0; i < scenario.Cumulative.Length; i++)
            {
                var before = purchase.DomainEvents.Count;
                Assert.True(purchase.RecordRefund(GrantKey.ForStripeRefund($"re_{i}"), scenario.Cumulative[i], At(10 + i)));

                var stepGrants = purchase.DomainEvents.Skip(before).OfType<ICreditsOwedEvent>().Select(e => e.Grant).ToList();
                Assert.True(stepGrants.Count <= 1);
                Assert.All(stepGrants, g =>
                {
                    Assert.True(g.Amount < 0, "a clawback is a negative grant");
                    Assert.Equal(TransactionType.Refund, g.TransactionType);
                });

                var step = -stepGrants.Sum(g => g.Amount);
                Assert.True(step >= 0);
                Assert.Equal(previous.Value + step, purchase.CreditsClawedBack.Value);
                Assert.True(purchase.CreditsClawedBack <= scenario.Pack.Credits);
                Assert.Equal(scenario.ExpectedClawback(scenario.Cumulative[i]), purchase.CreditsClawedBack.Value);
                previous = purchase.CreditsClawedBack;
            }

            var fullyRefunded = scenario.Cumulative[^1] == scenario.Price;
            Assert.Equal(fullyRefunded ? PurchaseStatus.Refunded : PurchaseStatus.PartiallyRefunded, purchase.Status);
            if (fullyRefunded)
            {
                Assert.Equal(scenario.Pack.Credits, purchase.CreditsClawedBack);
            }

            var net = EventAssert.Grants(purchase).Sum(g => g.Amount);
            Assert.Equal(scenario.Pack.Credits.Value - purchase.CreditsClawedBack.Value, net);
        });

        Check.One(Config, property);
    }

    [Fact]
    public void RefundsInAnyArrivalOrder_AnyPack_ClawBackExactlyTheLargestCumulativeShare()
    {
        var gen = from scenario in Scenarios()
                  from order in Gen.Shuffle(scenario.Cumulative)
                  select (scenario, order);

        var property = Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (scenario, order) = t;
            var purchase = scenario.Pay();
            for (var i = 0; i < order.Length; i++)
            {
                purchase.RecordRefund(GrantKey.ForStripeRefund($"re_{Array.IndexOf(scenario.Cumulative, order[i])}"), order[i], At(10 + i));
            }

            var expected = scenario.ExpectedClawback(scenario.Cumulative[^1]);
            Assert.Equal(expected, purchase.CreditsClawedBack.Value);
            Assert.Equal(scenario.Cumulative[^1], purchase.AmountRefundedMinor);
            Assert.All(EventAssert.Grants(purchase).Skip(1), g => Assert.True(g.Amount < 0));
            Assert.Equal(scenario.Pack.Credits.Value - expected, EventAssert.Grants(purchase).Sum(g => g.Amount));

            // Replaying every refund again owes nothing more.
            var count = purchase.DomainEvents.Count;
            foreach (var cumulative in order)
            {
                Assert.False(purchase.RecordRefund(GrantKey.ForStripeRefund("re_replay"), cumulative, At(100)));
            }

            Assert.Equal(count, purchase.DomainEvents.Count);
        });

        Check.One(Config, property);
    }

    [Fact]
    public void PartialRefundsThenDisputeLost_AnyPack_NetCreditsZeroAndEachKeyOnce()
    {
        var property = Prop.ForAll(Scenarios().ToArbitrary(), scenario =>
        {
            var purchase = scenario.Pay();
            for (var i = 0; i < scenario.Cumulative.Length; i++)
            {
                purchase.RecordRefund(GrantKey.ForStripeRefund($"re_{i}"), scenario.Cumulative[i], At(10 + i));
            }

            var fullyRefunded = purchase.Status == PurchaseStatus.Refunded;
            Assert.Equal(!fullyRefunded, purchase.RecordDisputeLost(GrantKey.ForStripeDispute("dp_1"), At(50)));

            var grants = EventAssert.Grants(purchase);
            Assert.Equal(0, grants.Sum(g => g.Amount));
            Assert.Equal(grants.Count, grants.Select(g => g.Key).Distinct().Count());
            Assert.Equal(scenario.Pack.Credits, purchase.CreditsClawedBack);
            Assert.Equal(PurchaseStatus.Refunded, purchase.Status);
        });

        Check.One(Config, property);
    }

    [Fact]
    public void RefundThenReversal_AnyPack_NetCreditsBackToPack()
    {
        var property = Prop.ForAll(Scenarios().ToArbitrary(), scenario =>
        {
            var purchase = scenario.Pay();
            for (var i = 0; i < scenario.Cumulative.Length; i++)
            {
                purchase.RecordRefund(GrantKey.ForStripeRefund($"re_{i}"), scenario.Cumulative[i], At(10 + i));
            }

            var clawedBack = purchase.CreditsClawedBack;
            Assert.True(purchase.ReverseRefund(GrantKey.ForAppleRefundReversal("2000000123"), At(60)));

            var restored = purchase.DomainEvents.OfType<PurchaseRefundReversed>().Sum(e => e.Grant.Amount);
            Assert.Equal(clawedBack.Value, restored);
            Assert.Equal(scenario.Pack.Credits.Value, EventAssert.Grants(purchase).Sum(g => g.Amount));
            Assert.Equal(PurchaseStatus.Paid, purchase.Status);
        });

        Check.One(Config, property);
    }
}
