namespace Billing.Application.Abstractions.Stripe;

/// <summary>Parameters of <c>POST /v1/customers</c>.</summary>
public sealed record StripeCustomerCreate
{
    public string? Email { get; init; }

    public string? Name { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

/// <summary>Checkout modes this service uses (Stripe also knows <c>setup</c>).</summary>
public static class StripeCheckoutModes
{
    public const string Payment = "payment";
    public const string Subscription = "subscription";
}

/// <summary>Parameters of <c>POST /v1/checkout/sessions</c>; names follow Stripe.net's <c>SessionCreateOptions</c>.</summary>
public sealed record StripeCheckoutSessionCreate
{
    /// <summary><see cref="StripeCheckoutModes.Payment"/> or <see cref="StripeCheckoutModes.Subscription"/>.</summary>
    public required string Mode { get; init; }

    public required IReadOnlyList<StripeCheckoutLineItem> LineItems { get; init; }

    /// <summary>May contain Stripe's <c>{CHECKOUT_SESSION_ID}</c> placeholder.</summary>
    public required string SuccessUrl { get; init; }

    public required string CancelUrl { get; init; }

    /// <summary>Existing <c>cus_…</c> id.</summary>
    public string? Customer { get; init; }

    /// <summary>Prefill when no <see cref="Customer"/> is given.</summary>
    public string? CustomerEmail { get; init; }

    public string? ClientReferenceId { get; init; }

    /// <summary>Stored on the Checkout Session.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary><c>subscription_data[metadata]</c>: copied onto the created Subscription (subscription mode only).</summary>
    public IReadOnlyDictionary<string, string>? SubscriptionMetadata { get; init; }

    /// <summary><c>payment_intent_data[metadata]</c>: copied onto the PaymentIntent (payment mode only).</summary>
    public IReadOnlyDictionary<string, string>? PaymentIntentMetadata { get; init; }

    /// <summary>Between 30 minutes and 24 hours from now; Stripe defaults to 24 hours.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    public IReadOnlyList<string>? Expand { get; init; }
}

/// <summary>One line item: either an existing <see cref="Price"/> id or inline <see cref="PriceData"/>.</summary>
public sealed record StripeCheckoutLineItem
{
    public string? Price { get; init; }

    public StripeCheckoutPriceData? PriceData { get; init; }

    public long Quantity { get; init; } = 1;
}

/// <summary>Inline ad-hoc price (<c>line_items[i][price_data]</c>).</summary>
public sealed record StripeCheckoutPriceData
{
    /// <summary>Three-letter ISO code, lowercase (e.g. <c>usd</c>).</summary>
    public required string Currency { get; init; }

    /// <summary>Minor units (999 = $9.99).</summary>
    public required long UnitAmount { get; init; }

    public required string ProductName { get; init; }

    public IReadOnlyDictionary<string, string>? ProductMetadata { get; init; }

    /// <summary><c>month</c>, <c>year</c>, …; set only for recurring prices (requires subscription mode).</summary>
    public string? RecurringInterval { get; init; }
}
