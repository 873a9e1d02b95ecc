using Billing.Application.Abstractions.Stripe;
using Stripe.Checkout;

namespace Billing.Infrastructure.Stripe;

/// <summary>Validates a checkout request (failing before the network) and maps it to Stripe.net's create options.</summary>
internal static class StripeCheckoutSessionOptions
{
    public static SessionCreateOptions Build(StripeCheckoutSessionCreate options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);

        var isSubscription = options.Mode == StripeCheckoutModes.Subscription;
        return new SessionCreateOptions
        {
            Mode = options.Mode,
            Customer = options.Customer,
            CustomerEmail = options.Customer is null ? options.CustomerEmail : null,
            ClientReferenceId = options.ClientReferenceId,
            SuccessUrl = options.SuccessUrl,
            CancelUrl = options.CancelUrl,
            LineItems = [.. options.LineItems.Select(LineItem)],
            Metadata = NonEmpty(options.Metadata),
            SubscriptionData = isSubscription && NonEmpty(options.SubscriptionMetadata) is { } subscriptionMetadata
                ? new SessionSubscriptionDataOptions { Metadata = subscriptionMetadata }
                : null,
            PaymentIntentData = !isSubscription && NonEmpty(options.PaymentIntentMetadata) is { } paymentIntentMetadata
                ? new SessionPaymentIntentDataOptions { Metadata = paymentIntentMetadata }
                : null,
            ExpiresAt = options.ExpiresAt?.UtcDateTime,
            Expand = options.Expand is { Count: > 0 } expand ? [.. expand] : null,
        };
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

    private static SessionLineItemOptions LineItem(StripeCheckoutLineItem item) => new()
    {
        Price = item.Price,
        Quantity = item.Quantity,
        PriceData = item.PriceData is { } data
            ? new SessionLineItemPriceDataOptions
            {
                Currency = data.Currency,
                UnitAmount = data.UnitAmount,
                ProductData = new SessionLineItemPriceDataProductDataOptions { Name = data.ProductName, Metadata = NonEmpty(data.ProductMetadata) },
                Recurring = data.RecurringInterval is null ? null : new SessionLineItemPriceDataRecurringOptions { Interval = data.RecurringInterval },
            }
            : null,
    };

    private static Dictionary<string, string>? NonEmpty(IReadOnlyDictionary<string, string>? map) =>
        map is { Count: > 0 } ? map.ToDictionary(StringComparer.Ordinal) : null;
}
