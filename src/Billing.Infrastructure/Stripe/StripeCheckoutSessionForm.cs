using Billing.Application.Abstractions.Stripe;

namespace Billing.Infrastructure.Stripe;

/// <summary>Validates a checkout request and maps it to Stripe's parameter names.</summary>
internal static class StripeCheckoutSessionForm
{
    public static List<KeyValuePair<string, object?>> Build(StripeCheckoutSessionCreate options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);

        var isSubscription = options.Mode == StripeCheckoutModes.Subscription;
        List<KeyValuePair<string, object?>> form =
        [
            new("mode", options.Mode),
            new("customer", options.Customer),
            new("customer_email", options.Customer is null ? options.CustomerEmail : null),
            new("client_reference_id", options.ClientReferenceId),
            new("success_url", options.SuccessUrl),
            new("cancel_url", options.CancelUrl),
            new("line_items", options.LineItems.Select(LineItem).ToList()),
            new("metadata", NonEmpty(options.Metadata)),
        ];

        if (isSubscription && NonEmpty(options.SubscriptionMetadata) is { } subscriptionMetadata)
        {
            form.Add(new("subscription_data", Map(("metadata", subscriptionMetadata))));
        }

        if (!isSubscription && NonEmpty(options.PaymentIntentMetadata) is { } paymentIntentMetadata)
        {
            form.Add(new("payment_intent_data", Map(("metadata", paymentIntentMetadata))));
        }

        form.Add(new("expires_at", options.ExpiresAt));
        if (options.Expand is { Count: > 0 } expand)
        {
            form.Add(new("expand", new StripeFormUnindexedList(expand)));
        }

        return form;
    }

    private static void Validate(StripeCheckoutSessionCreate options)
    {
        if (options.Mode is not (StripeCheckoutModes.Payment or StripeCheckoutModes.Subscription))
        {
            throw new ArgumentException($"Unsupported checkout mode '{options.Mode}'.", nameof(options));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(options.SuccessUrl);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.CancelUrl);
        if (options.LineItems is not { Count: > 0 })
        {
            throw new ArgumentException("A checkout session needs at least one line item.", nameof(options));
        }

        var isSubscription = options.Mode == StripeCheckoutModes.Subscription;
        foreach (var item in options.LineItems)
        {
            if ((item.Price is null) == (item.PriceData is null))
            {
                throw new ArgumentException("Each line item needs exactly one of Price or PriceData.", nameof(options));
            }

            if (item.Quantity < 1)
            {
                throw new ArgumentException("Line item quantity must be at least 1.", nameof(options));
            }

            if (item.PriceData is { RecurringInterval: not null } && !isSubscription)
            {
                // Stripe would reject it with a 400; fail before the network call.
                throw new ArgumentException("A recurring price requires subscription mode.", nameof(options));
            }

            if (item.PriceData is { UnitAmount: < 0 })
            {
                throw new ArgumentException("Unit amount cannot be negative.", nameof(options));
            }
        }

        if (isSubscription && options.PaymentIntentMetadata is { Count: > 0 })
        {
            throw new ArgumentException("PaymentIntent metadata only applies in payment mode.", nameof(options));
        }

        if (!isSubscription && options.SubscriptionMetadata is { Count: > 0 })
        {
            throw new ArgumentException("Subscription metadata only applies in subscription mode.", nameof(options));
        }
    }

    private static Dictionary<string, object?> LineItem(StripeCheckoutLineItem item)
    {
        var map = Map(("price", item.Price));
        if (item.PriceData is { } data)
        {
            var productData = Map(("name", data.ProductName), ("metadata", NonEmpty(data.ProductMetadata)));
            var priceData = Map(
                ("currency", data.Currency),
                ("unit_amount", data.UnitAmount),
                ("product_data", productData),
                ("recurring", data.RecurringInterval is null ? null : Map(("interval", data.RecurringInterval))));
            map["price_data"] = priceData;
        }

        map["quantity"] = item.Quantity;
        return map;
    }

    private static Dictionary<string, object?> Map(params (string Key, object? Value)[] entries)
    {
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in entries)
        {
            map[key] = value;
        }

        return map;
    }

    private static IReadOnlyDictionary<string, string>? NonEmpty(IReadOnlyDictionary<string, string>? map) =>
        map is { Count: > 0 } ? map : null;
}
