namespace Billing.Domain.Common;

/// <summary>Flash's ledger transaction types that billing uses. Flash silently turns unknown or miscased values into admin_grant, so the wire names are fixed here.</summary>
public enum TransactionType
{
    StripePurchase,
    AppleIap,
    SubscriptionGrant,
    Refund,
}

public static class TransactionTypeNames
{
    public static string ToWire(this TransactionType type) => type switch
    {
        TransactionType.StripePurchase => "stripe_purchase",
        TransactionType.AppleIap => "apple_iap",
        TransactionType.SubscriptionGrant => "subscription_grant",
        TransactionType.Refund => "refund",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static TransactionType FromWire(string value) => value switch
    {
        "stripe_purchase" => TransactionType.StripePurchase,
        "apple_iap" => TransactionType.AppleIap,
        "subscription_grant" => TransactionType.SubscriptionGrant,
        "refund" => TransactionType.Refund,
        _ => throw new InvalidDomainValueException("transaction_type.unknown", $"Unknown transaction type '{value}'."),
    };
}
