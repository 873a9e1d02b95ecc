namespace Billing.Application.Abstractions.Flash;

/// <summary>
/// One admin grant to send to Flash. <paramref name="TransactionType"/> is Flash's exact lowercase wire value
/// (<c>stripe_purchase</c>, <c>apple_iap</c>, <c>subscription_grant</c>, <c>refund</c>): Flash silently turns unknown or
/// miscased values into <c>admin_grant</c>, so the client refuses anything else before sending.
/// </summary>
public sealed record FlashGrant(string UserId, int Amount, string TransactionType, string Description)
{
    /// <summary>The transaction types billing may send. Flash accepts more, but billing has no business sending them.</summary>
    public static IReadOnlySet<string> AllowedTransactionTypes { get; } =
        new HashSet<string>(StringComparer.Ordinal) { "stripe_purchase", "apple_iap", "subscription_grant", "refund" };
}
