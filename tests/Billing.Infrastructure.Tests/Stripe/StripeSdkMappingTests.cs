using Billing.Application.Abstractions.Stripe;
using Billing.Infrastructure.Stripe;
using Stripe;

namespace Billing.Infrastructure.Tests.Stripe;

/// <summary>Stripe objects in the pinned API version, read by Stripe.net and mapped to our records.</summary>
public sealed class StripeSdkMappingTests
{
    [Fact]
    public void Subscription_Basil_ReadsPeriodFromFirstItem()
    {
        var subscription = Subscription("""
            {"id":"sub_1","object":"subscription","customer":"cus_1","status":"active","cancel_at_period_end":true,
             "cancel_at":1700003000,"canceled_at":1700000500,"ended_at":null,"latest_invoice":"in_1",
             "metadata":{"user_id":"42"},"brand_new_field":{"x":1},
             "items":{"object":"list","data":[{"id":"si_1","current_period_start":1700000000,"current_period_end":1702592000,
               "quantity":1,"price":{"id":"price_1","product":"prod_1","metadata":{"tier":"creator"}}}]}}
            """);

        Assert.Equal("sub_1", subscription.Id);
        Assert.Equal("cus_1", subscription.CustomerId);
        Assert.Equal("active", subscription.Status);
        Assert.True(subscription.CancelAtPeriodEnd);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700003000), subscription.CancelAt);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000500), subscription.CanceledAt);
        Assert.Null(subscription.EndedAt);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000), subscription.CurrentPeriodStart);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1702592000), subscription.CurrentPeriodEnd);
        Assert.Equal("price_1", subscription.PriceId);
        Assert.Equal("prod_1", subscription.ProductId);
        Assert.Equal("creator", subscription.PriceMetadata["tier"]);
        Assert.Equal("42", subscription.Metadata["user_id"]);
        Assert.Equal("in_1", subscription.LatestInvoiceId);
        Assert.Single(subscription.Items);
    }

    [Fact]
    public void Invoice_Basil_ReadsSubscriptionFromParent_AndPaidFromStatus()
    {
        var invoice = Invoice("""
            {"id":"in_1","object":"invoice","customer":"cus_1","status":"paid","billing_reason":"subscription_cycle",
             "amount_paid":1999,"amount_due":1999,"currency":"usd","attempt_count":1,
             "parent":{"type":"subscription_details","subscription_details":{"subscription":"sub_1","metadata":{"user_id":"42"}}},
             "lines":{"object":"list","data":[{"id":"il_1","period":{"start":1702592000,"end":1705270400},
               "pricing":{"type":"price_details","price_details":{"price":"price_1","product":"prod_1"}}}]},
             "metadata":{}}
            """);

        Assert.Equal("sub_1", invoice.SubscriptionId);
        Assert.Equal("subscription_cycle", invoice.BillingReason);
        Assert.True(invoice.Paid);
        Assert.Equal(1999, invoice.AmountPaid);
        Assert.Equal("usd", invoice.Currency);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1702592000), invoice.PeriodStart);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1705270400), invoice.PeriodEnd);
        Assert.Equal("price_1", invoice.PriceId);
        Assert.Equal("42", invoice.SubscriptionMetadata["user_id"]);
    }

    [Fact]
    public void Invoice_OpenAfterFailedPayment_IsNotPaid()
    {
        var invoice = Invoice("""
            {"id":"in_3","status":"open","attempt_count":2,"next_payment_attempt":1700100000,"amount_paid":0}
            """);

        Assert.False(invoice.Paid);
        Assert.Null(invoice.SubscriptionId);
        Assert.Null(invoice.PeriodStart);
        Assert.Equal(2, invoice.AttemptCount);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700100000), invoice.NextPaymentAttempt);
    }

    [Fact]
    public void CheckoutSession_ReadsAllFields()
    {
        var session = CheckoutSession("""
            {"id":"cs_1","object":"checkout.session","url":null,"mode":"subscription","status":"complete",
             "payment_status":"paid","customer":"cus_1","client_reference_id":"user-42","subscription":"sub_1",
             "payment_intent":null,"invoice":"in_1","metadata":{"user_id":"42","product_id":"p"},
             "amount_total":1999,"currency":"usd","livemode":false,"created":1700000000,"expires_at":1700086400}
            """);

        Assert.Equal("cs_1", session.Id);
        Assert.Null(session.Url);
        Assert.Equal("subscription", session.Mode);
        Assert.Equal("complete", session.Status);
        Assert.True(session.IsPaymentSettled);
        Assert.Equal("cus_1", session.CustomerId);
        Assert.Equal("user-42", session.ClientReferenceId);
        Assert.Equal("sub_1", session.SubscriptionId);
        Assert.Null(session.PaymentIntentId);
        Assert.Equal("in_1", session.InvoiceId);
        Assert.Equal("42", session.Metadata["user_id"]);
        Assert.Equal(1999, session.AmountTotal);
        Assert.Equal("usd", session.Currency);
    }

    [Fact]
    public void Charge_ReadsExpandedRefunds()
    {
        var charge = Charge("""
            {"id":"ch_1","object":"charge","payment_intent":"pi_1","amount":2499,"amount_refunded":1000,"refunded":false,
             "currency":"usd","metadata":{"user_id":"42"},
             "refunds":{"object":"list","data":[{"id":"re_1","amount":1000,"status":"succeeded","created":1700000000,"charge":"ch_1"}]}}
            """);

        Assert.Equal("pi_1", charge.PaymentIntentId);
        Assert.Equal(2499, charge.Amount);
        Assert.Equal(1000, charge.AmountRefunded);
        Assert.False(charge.Refunded);
        var refund = Assert.Single(charge.Refunds);
        Assert.Equal("re_1", refund.Id);
        Assert.Equal(1000, refund.Amount);
        Assert.Equal("succeeded", refund.Status);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000), refund.Created);
    }

    [Fact]
    public void Charge_WithoutRefundsExpanded_HasEmptyList()
    {
        var charge = Charge("""{"id":"ch_2","amount":100,"amount_refunded":100,"refunded":true}""");

        Assert.True(charge.Refunded);
        Assert.Empty(charge.Refunds);
    }

    [Fact]
    public void Dispute_ReadsFields()
    {
        var dispute = Dispute("""
            {"id":"dp_1","charge":"ch_1","payment_intent":"pi_1","status":"needs_response","amount":2499,
             "currency":"usd","reason":"fraudulent","evidence_details":{"due_by":1700600000}}
            """);

        Assert.Equal("ch_1", dispute.ChargeId);
        Assert.Equal("pi_1", dispute.PaymentIntentId);
        Assert.Equal("needs_response", dispute.Status);
        Assert.Equal(2499, dispute.Amount);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700600000), dispute.EvidenceDueBy);
    }

    [Fact]
    public void ExpandedReferences_ReadAsTheirIds()
    {
        var subscription = Subscription("""
            {"id":"sub_2","customer":{"id":"cus_2","object":"customer"},"status":"past_due",
             "items":{"data":[{"id":"si_2","current_period_start":1600000000,"current_period_end":1602592000,
               "price":{"id":"price_2","product":{"id":"prod_2","object":"product"}}}]}}
            """);

        Assert.Equal("cus_2", subscription.CustomerId);
        Assert.Equal("prod_2", subscription.ProductId);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1602592000), subscription.CurrentPeriodEnd);
        Assert.False(subscription.CancelAtPeriodEnd);
        Assert.Empty(subscription.Metadata);
    }

    [Fact]
    public void Decoding_KeepsMetadata_ButRequiresId()
    {
        var session = CheckoutSession("""
            {"id":"cs_2","amount_total":1999,"metadata":{"n":"5","s":"x"},"livemode":false}
            """);

        Assert.Equal(1999, session.AmountTotal);
        Assert.Equal("5", session.Metadata["n"]);
        Assert.False(session.Livemode);
        Assert.Null(session.CustomerId);
        Assert.Throws<StripeObjectFormatException>(() => Invoice("""{"object":"invoice"}"""));
        Assert.Throws<StripeObjectFormatException>(() => Charge("{}"));
    }

    // Stripe.net reads the JSON (as it does for API answers), our mapping turns its objects into our records.
    private static StripeSubscription Subscription(string json) => StripeSdkMapping.Subscription(StripeEntity.FromJson<global::Stripe.Subscription>(json));

    private static StripeInvoice Invoice(string json) => StripeSdkMapping.Invoice(StripeEntity.FromJson<global::Stripe.Invoice>(json));

    private static StripeCheckoutSession CheckoutSession(string json) => StripeSdkMapping.CheckoutSession(StripeEntity.FromJson<global::Stripe.Checkout.Session>(json));

    private static StripeCharge Charge(string json) => StripeSdkMapping.Charge(StripeEntity.FromJson<global::Stripe.Charge>(json));

    private static StripeDispute Dispute(string json) => StripeSdkMapping.Dispute(StripeEntity.FromJson<global::Stripe.Dispute>(json));
}
