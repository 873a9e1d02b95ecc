namespace Billing.Application.Abstractions.Stripe;

/// <summary>A Stripe JSON document (API response or webhook payload) lacks what we cannot do without.</summary>
public sealed class StripeObjectFormatException : FormatException
{
    public StripeObjectFormatException(string message)
        : base(message)
    {
    }

    public StripeObjectFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
