using System.Text.Json.Nodes;

namespace Billing.TestFakes.Stripe;

// Mutable state kept by the fake; every access happens under StripeFake's lock. Rendering follows the
// basil+ shapes (API 2025-03-31 and later): subscription period on items, invoice subscription under parent.

internal sealed class FakeCustomer
{
    public required string Id { get; init; }
    public string? Email { get; set; }
    public string? Name { get; set; }
    public Dictionary<string, string> Metadata { get; init; } = [];
    public long Created { get; init; }

    public JsonObject Render() => new()
    {
        ["id"] = Id,
        ["object"] = "customer",
        ["created"] = Created,
        ["email"] = Email,
        ["name"] = Name,
        ["livemode"] = false,
        ["metadata"] = StripeFakeJson.Metadata(Metadata),
    };
}

internal sealed class FakeLineItem
{
    public required string PriceId { get; init; }
    public required string ProductId { get; init; }
    public required string ProductName { get; init; }
    public required string Currency { get; init; }
    public required long UnitAmount { get; init; }
    public required long Quantity { get; init; }
    public string? RecurringInterval { get; init; }

    public JsonObject RenderPrice() => new()
    {
        ["id"] = PriceId,
        ["object"] = "price",
        ["currency"] = Currency,
        ["unit_amount"] = UnitAmount,
        ["product"] = ProductId,
        ["type"] = RecurringInterval is null ? "one_time" : "recurring",
        ["recurring"] = RecurringInterval is null
            ? null
            : new JsonObject { ["interval"] = RecurringInterval, ["interval_count"] = 1 },
        ["metadata"] = new JsonObject(),
    };
}

internal sealed class FakeCheckoutSession
{
    public required string Id { get; init; }
    public required string Mode { get; init; }
    public string Status { get; set; } = "open";
    public string PaymentStatus { get; set; } = "unpaid";
    public string? CustomerId { get; set; }
    public string? CustomerEmail { get; init; }
    public string? ClientReferenceId { get; init; }
    public Dictionary<string, string> Metadata { get; init; } = [];
    public Dictionary<string, string> SubscriptionMetadata { get; init; } = [];
    public Dictionary<string, string> PaymentIntentMetadata { get; init; } = [];
    public List<FakeLineItem> LineItems { get; init; } = [];
    public required string SuccessUrl { get; init; }
    public required string CancelUrl { get; init; }
    public long Created { get; init; }
    public long ExpiresAt { get; init; }
    public string? PaymentIntentId { get; set; }
    public string? SubscriptionId { get; set; }
    public string? InvoiceId { get; set; }

    public long AmountTotal => LineItems.Sum(item => item.UnitAmount * item.Quantity);

    public JsonObject Render(bool expandLineItems)
    {
        var json = new JsonObject
        {
            ["id"] = Id,
            ["object"] = "checkout.session",
            ["amount_subtotal"] = AmountTotal,
            ["amount_total"] = AmountTotal,
            ["cancel_url"] = CancelUrl,
            ["client_reference_id"] = ClientReferenceId,
            ["created"] = Created,
            ["currency"] = LineItems.Count > 0 ? LineItems[0].Currency : "usd",
            ["customer"] = CustomerId,
            ["customer_email"] = CustomerEmail,
            ["expires_at"] = ExpiresAt,
            ["invoice"] = InvoiceId,
            ["livemode"] = false,
            ["metadata"] = StripeFakeJson.Metadata(Metadata),
            ["mode"] = Mode,
            ["payment_intent"] = PaymentIntentId,
            ["payment_status"] = PaymentStatus,
            ["status"] = Status,
            ["subscription"] = SubscriptionId,
            ["success_url"] = SuccessUrl,
            // Stripe clears the URL once the session is no longer open.
            ["url"] = Status == "open" ? $"https://checkout.stripe.test/c/pay/{Id}" : null,
        };

        if (expandLineItems)
        {
            var items = new JsonArray();
            var index = 0;
            foreach (var item in LineItems)
            {
                items.Add(new JsonObject
                {
                    ["id"] = $"li_{Id}_{index++}",
                    ["object"] = "item",
                    ["amount_total"] = item.UnitAmount * item.Quantity,
                    ["currency"] = item.Currency,
                    ["description"] = item.ProductName,
                    ["price"] = item.RenderPrice(),
                    ["quantity"] = item.Quantity,
                });
            }

            json["line_items"] = StripeFakeJson.List(items, $"/v1/checkout/sessions/{Id}/line_items");
        }

        return json;
    }
}

internal sealed class FakeSubscription
{
    public required string Id { get; init; }
    public required string ItemId { get; init; }
    public required string CustomerId { get; init; }

    /// <summary>Settable: a plan change (portal, dashboard) moves the subscription to another price.</summary>
    public required FakeLineItem Item { get; set; }
    public string Status { get; set; } = "active";
    public bool CancelAtPeriodEnd { get; set; }
    public long? CancelAt { get; set; }
    public long? CanceledAt { get; set; }
    public long? EndedAt { get; set; }
    public long CurrentPeriodStart { get; set; }
    public long CurrentPeriodEnd { get; set; }
    public string? LatestInvoiceId { get; set; }
    public Dictionary<string, string> Metadata { get; init; } = [];
    public long Created { get; init; }

    public JsonObject Render() => new()
    {
        ["id"] = Id,
        ["object"] = "subscription",
        ["billing_cycle_anchor"] = Created,
        ["cancel_at"] = CancelAt,
        ["cancel_at_period_end"] = CancelAtPeriodEnd,
        ["canceled_at"] = CanceledAt,
        ["created"] = Created,
        ["currency"] = Item.Currency,
        ["customer"] = CustomerId,
        ["ended_at"] = EndedAt,
        ["items"] = StripeFakeJson.List(
            new JsonArray
            {
                new JsonObject
                {
                    ["id"] = ItemId,
                    ["object"] = "subscription_item",
                    ["created"] = Created,
                    ["current_period_end"] = CurrentPeriodEnd,
                    ["current_period_start"] = CurrentPeriodStart,
                    ["metadata"] = new JsonObject(),
                    ["price"] = Item.RenderPrice(),
                    ["quantity"] = Item.Quantity,
                    ["subscription"] = Id,
                },
            },
            $"/v1/subscription_items?subscription={Id}"),
        ["latest_invoice"] = LatestInvoiceId,
        ["livemode"] = false,
        ["metadata"] = StripeFakeJson.Metadata(Metadata),
        ["start_date"] = Created,
        ["status"] = Status,
    };
}

internal sealed class FakeInvoice
{
    public required string Id { get; init; }
    public required string CustomerId { get; init; }
    public required FakeSubscription Subscription { get; init; }

    /// <summary>The price billed, as it was when the invoice was made (a later plan change does not rewrite it).</summary>
    public required FakeLineItem Line { get; init; }
    public required string BillingReason { get; init; }
    public string Status { get; set; } = "open";
    public long AmountDue { get; init; }
    public long AmountPaid { get; set; }
    public required string Currency { get; init; }
    public long PeriodStart { get; init; }
    public long PeriodEnd { get; init; }
    public long AttemptCount { get; set; }
    public long? NextPaymentAttempt { get; set; }
    public long? PaidAt { get; set; }
    public long Created { get; init; }

    /// <summary>Snapshot at creation, as Stripe does for <c>parent.subscription_details.metadata</c>.</summary>
    public Dictionary<string, string> SubscriptionMetadata { get; init; } = [];

    public JsonObject Render() => new()
    {
        ["id"] = Id,
        ["object"] = "invoice",
        ["amount_due"] = AmountDue,
        ["amount_paid"] = AmountPaid,
        ["amount_remaining"] = AmountDue - AmountPaid,
        ["attempt_count"] = AttemptCount,
        ["attempted"] = AttemptCount > 0,
        ["billing_reason"] = BillingReason,
        ["created"] = Created,
        ["currency"] = Currency,
        ["customer"] = CustomerId,
        ["lines"] = StripeFakeJson.List(
            new JsonArray
            {
                new JsonObject
                {
                    ["id"] = $"il_{Id}",
                    ["object"] = "line_item",
                    ["amount"] = AmountDue,
                    ["currency"] = Currency,
                    ["description"] = $"1 × {Line.ProductName}",
                    ["parent"] = new JsonObject
                    {
                        ["type"] = "subscription_item_details",
                        ["subscription_item_details"] = new JsonObject
                        {
                            ["subscription"] = Subscription.Id,
                            ["subscription_item"] = Subscription.ItemId,
                        },
                    },
                    ["period"] = new JsonObject { ["end"] = PeriodEnd, ["start"] = PeriodStart },
                    ["pricing"] = new JsonObject
                    {
                        ["type"] = "price_details",
                        ["price_details"] = new JsonObject
                        {
                            ["price"] = Line.PriceId,
                            ["product"] = Line.ProductId,
                        },
                        ["unit_amount_decimal"] = Line.UnitAmount.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    },
                    ["quantity"] = Line.Quantity,
                },
            },
            $"/v1/invoices/{Id}/lines"),
        ["livemode"] = false,
        ["metadata"] = new JsonObject(),
        ["next_payment_attempt"] = NextPaymentAttempt,
        ["parent"] = new JsonObject
        {
            ["type"] = "subscription_details",
            ["quote_details"] = null,
            ["subscription_details"] = new JsonObject
            {
                ["metadata"] = StripeFakeJson.Metadata(SubscriptionMetadata),
                ["subscription"] = Subscription.Id,
            },
        },
        // The invoice's own period_* is the previous period for cycle invoices; the billed period is on the lines.
        ["period_end"] = BillingReason == "subscription_create" ? Created : PeriodStart,
        ["period_start"] = BillingReason == "subscription_create" ? Created : PeriodStart,
        ["status"] = Status,
        ["status_transitions"] = new JsonObject { ["paid_at"] = PaidAt },
    };
}

internal sealed class FakeRefund
{
    public required string Id { get; init; }
    public required string ChargeId { get; init; }
    public required string PaymentIntentId { get; init; }
    public required long Amount { get; init; }
    public required string Currency { get; init; }
    public required string Reason { get; init; }
    public string Status { get; set; } = "succeeded";
    public long Created { get; init; }

    public JsonObject Render() => new()
    {
        ["id"] = Id,
        ["object"] = "refund",
        ["amount"] = Amount,
        ["charge"] = ChargeId,
        ["created"] = Created,
        ["currency"] = Currency,
        ["metadata"] = new JsonObject(),
        ["payment_intent"] = PaymentIntentId,
        ["reason"] = Reason,
        ["status"] = Status,
    };
}

internal sealed class FakeCharge
{
    public required string Id { get; init; }
    public required string PaymentIntentId { get; init; }
    public string? CustomerId { get; init; }
    public required long Amount { get; init; }
    public required string Currency { get; init; }
    public long AmountRefunded { get; set; }
    public bool Disputed { get; set; }
    public List<FakeRefund> Refunds { get; } = [];
    public Dictionary<string, string> Metadata { get; init; } = [];
    public long Created { get; init; }

    public JsonObject Render(bool expandRefunds)
    {
        var json = new JsonObject
        {
            ["id"] = Id,
            ["object"] = "charge",
            ["amount"] = Amount,
            ["amount_captured"] = Amount,
            ["amount_refunded"] = AmountRefunded,
            ["captured"] = true,
            ["created"] = Created,
            ["currency"] = Currency,
            ["customer"] = CustomerId,
            ["disputed"] = Disputed,
            ["livemode"] = false,
            ["metadata"] = StripeFakeJson.Metadata(Metadata),
            ["paid"] = true,
            ["payment_intent"] = PaymentIntentId,
            ["refunded"] = AmountRefunded >= Amount,
            ["status"] = "succeeded",
        };

        // refunds is includable since 2022-11-15: present only when expanded.
        if (expandRefunds)
        {
            var refunds = new JsonArray();
            foreach (var refund in Refunds.OrderByDescending(refund => refund.Created))
            {
                refunds.Add(refund.Render());
            }

            json["refunds"] = StripeFakeJson.List(refunds, $"/v1/charges/{Id}/refunds");
        }

        return json;
    }
}

internal sealed class FakeDispute
{
    public required string Id { get; init; }
    public required FakeCharge Charge { get; init; }
    public required long Amount { get; init; }
    public required string Reason { get; init; }
    public string Status { get; set; } = "needs_response";
    public long Created { get; init; }

    public JsonObject Render() => new()
    {
        ["id"] = Id,
        ["object"] = "dispute",
        ["amount"] = Amount,
        ["charge"] = Charge.Id,
        ["created"] = Created,
        ["currency"] = Charge.Currency,
        ["evidence_details"] = new JsonObject { ["due_by"] = Created + (7 * 86_400), ["has_evidence"] = false },
        ["is_charge_refundable"] = false,
        ["livemode"] = false,
        ["metadata"] = new JsonObject(),
        ["payment_intent"] = Charge.PaymentIntentId,
        ["reason"] = Reason,
        ["status"] = Status,
    };
}

internal static class StripeFakeJson
{
    public static JsonObject Metadata(IReadOnlyDictionary<string, string> metadata)
    {
        var json = new JsonObject();
        foreach (var (key, value) in metadata)
        {
            json[key] = value;
        }

        return json;
    }

    public static JsonObject List(JsonArray data, string url) => new()
    {
        ["object"] = "list",
        ["data"] = data,
        ["has_more"] = false,
        ["total_count"] = data.Count,
        ["url"] = url,
    };

    public static JsonObject Error(string type, string message, string? code = null, string? param = null) => new()
    {
        ["error"] = new JsonObject
        {
            ["type"] = type,
            ["code"] = code,
            ["message"] = message,
            ["param"] = param,
            ["doc_url"] = code is null ? null : $"https://stripe.com/docs/error-codes/{code.Replace('_', '-')}",
        },
    };
}
