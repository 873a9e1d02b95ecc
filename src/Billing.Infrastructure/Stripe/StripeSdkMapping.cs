using Billing.Application.Abstractions.Stripe;
using Stripe;
using Stripe.Checkout;
using PortalSession = Stripe.BillingPortal.Session;

namespace Billing.Infrastructure.Stripe;

/// <summary>
/// Stripe.net objects (in the SDK's pinned API version) → our records. The anti-corruption layer: nothing past here
/// knows the SDK. Stripe's DateTime values are UTC; an unset one is <c>default</c> and reads as absent.
/// </summary>
internal static class StripeSdkMapping
{
    public static StripeCustomer Customer(Customer customer) =>
        new(RequiredId(customer.Id, "customer"), customer.Email, customer.Name, Metadata(customer.Metadata), Time(customer.Created));

    public static StripeCheckoutSession CheckoutSession(Session session) =>
        new(
            RequiredId(session.Id, "checkout session"),
            session.Url,
            session.Mode,
            session.Status,
            session.PaymentStatus,
            session.CustomerId,
            session.ClientReferenceId,
            session.SubscriptionId,
            session.PaymentIntentId,
            session.InvoiceId,
            Metadata(session.Metadata),
            session.AmountTotal,
            session.Currency,
            session.Livemode,
            Time(session.Created),
            Time(session.ExpiresAt))
        {
            // Present when line_items was expanded: the prices a subscription checkout created for its tier.
            LinePriceIds = [.. (session.LineItems?.Data ?? []).Select(item => item.Price?.Id).OfType<string>()],
        };

    public static StripePortalSession PortalSession(PortalSession session) =>
        new(
            RequiredId(session.Id, "billing portal session"),
            session.Url ?? throw new StripeObjectFormatException("The billing portal session has no 'url'."),
            session.Customer,
            session.ReturnUrl);

    public static StripeSubscription Subscription(Subscription subscription)
    {
        var items = (subscription.Items?.Data ?? []).Select(SubscriptionItem).ToArray();
        var first = items.Length > 0 ? items[0] : null;
        var firstPrice = subscription.Items?.Data is { Count: > 0 } data ? data[0].Price : null;
        return new StripeSubscription(
            RequiredId(subscription.Id, "subscription"),
            subscription.CustomerId,
            subscription.Status,
            subscription.CancelAtPeriodEnd,
            Time(subscription.CancelAt),
            Time(subscription.CanceledAt),
            Time(subscription.EndedAt),
            // The pinned version (basil and later) carries the billing period on the items.
            first?.CurrentPeriodStart,
            first?.CurrentPeriodEnd,
            first?.PriceId,
            first?.ProductId,
            Metadata(firstPrice?.Metadata),
            subscription.LatestInvoiceId,
            Metadata(subscription.Metadata),
            items,
            subscription.Livemode,
            Time(subscription.Created));
    }

    public static StripeInvoice Invoice(Invoice invoice)
    {
        var firstLine = invoice.Lines?.Data is { Count: > 0 } lines ? lines[0] : null;
        var details = invoice.Parent?.SubscriptionDetails;
        return new StripeInvoice(
            RequiredId(invoice.Id, "invoice"),
            invoice.CustomerId,
            details?.SubscriptionId,
            invoice.BillingReason,
            invoice.Status,
            invoice.Status == "paid",
            invoice.AmountPaid,
            invoice.AmountDue,
            invoice.Currency,
            Time(firstLine?.Period?.Start),
            Time(firstLine?.Period?.End),
            firstLine?.Pricing?.PriceDetails?.PriceId,
            invoice.AttemptCount,
            Time(invoice.NextPaymentAttempt),
            PaymentIntentId: null, // not on the invoice since basil; nothing here needs it
            Metadata(invoice.Metadata),
            Metadata(details?.Metadata),
            invoice.Livemode,
            Time(invoice.Created))
        {
            Lines = [.. (invoice.Lines?.Data ?? []).Select(InvoiceLine)],
        };
    }

    // The pinned version carries a line's price as pricing.price_details (ids only): no price metadata on the line.
    private static StripeInvoiceLine InvoiceLine(InvoiceLineItem line) =>
        new(
            line.Pricing?.PriceDetails?.PriceId,
            line.Pricing?.PriceDetails?.Product,
            line.Amount,
            Time(line.Period?.Start),
            Time(line.Period?.End),
            new Dictionary<string, string>(StringComparer.Ordinal));

    public static StripeCharge Charge(Charge charge) =>
        new(
            RequiredId(charge.Id, "charge"),
            charge.PaymentIntentId,
            charge.CustomerId,
            charge.Amount,
            charge.AmountRefunded,
            charge.Refunded,
            charge.Currency,
            charge.Status,
            charge.Disputed,
            (charge.Refunds?.Data ?? []).Select(Refund).ToArray(),
            Metadata(charge.Metadata),
            charge.Livemode,
            Time(charge.Created));

    public static StripeDispute Dispute(Dispute dispute) =>
        new(
            RequiredId(dispute.Id, "dispute"),
            dispute.ChargeId,
            dispute.PaymentIntentId,
            dispute.Status,
            dispute.Amount,
            dispute.Currency,
            dispute.Reason,
            dispute.IsChargeRefundable,
            Time(dispute.EvidenceDetails?.DueBy),
            Metadata(dispute.Metadata),
            dispute.Livemode,
            Time(dispute.Created));

    private static StripeSubscriptionItem SubscriptionItem(SubscriptionItem item) =>
        new(item.Id, item.Price?.Id, item.Price?.ProductId, item.Quantity, Time(item.CurrentPeriodStart), Time(item.CurrentPeriodEnd));

    private static StripeRefund Refund(Refund refund) =>
        new(
            RequiredId(refund.Id, "refund"),
            refund.Amount,
            refund.Status,
            refund.ChargeId,
            refund.PaymentIntentId,
            refund.Reason,
            refund.Currency,
            Metadata(refund.Metadata),
            Time(refund.Created));

    private static string RequiredId(string? id, string objectName) =>
        string.IsNullOrEmpty(id) ? throw new StripeObjectFormatException($"The Stripe {objectName} has no 'id'.") : id;

    private static Dictionary<string, string> Metadata(IDictionary<string, string>? metadata) =>
        metadata is null ? new(StringComparer.Ordinal) : new(metadata, StringComparer.Ordinal);

    private static DateTimeOffset? Time(DateTime value) =>
        value == default ? null : new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    private static DateTimeOffset? Time(DateTime? value) => value is { } time ? Time(time) : null;
}
