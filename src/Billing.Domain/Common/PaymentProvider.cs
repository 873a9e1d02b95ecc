namespace Billing.Domain.Common;

public enum PaymentProvider
{
    Stripe,
    Apple,
}
