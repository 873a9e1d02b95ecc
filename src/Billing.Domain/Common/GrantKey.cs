namespace Billing.Domain.Common;

/// <summary>
/// The deterministic identity of one grant, derived from the provider object that paid for it
/// (a checkout session, an invoice, an Apple transaction, a refund). The outbox is unique on it,
/// so the same payment can never produce two grants whatever the number of deliveries.
/// </summary>
public readonly record struct GrantKey
{
    public const int MaxLength = 200;

    public string Value { get; }

    private GrantKey(string value) => Value = value;

    public static GrantKey ForStripeCheckoutSession(string sessionId) => Build("stripe", "checkout", sessionId);

    public static GrantKey ForStripeInvoice(string invoiceId) => Build("stripe", "invoice", invoiceId);

    public static GrantKey ForStripeRefund(string refundId) => Build("stripe", "refund", refundId);

    public static GrantKey ForStripeDispute(string disputeId) => Build("stripe", "dispute", disputeId);

    /// <summary>The restore when a dispute whose loss was clawed back ends won after all: <c>stripe:dispute-won:{dispute}</c>.</summary>
    public static GrantKey ForStripeDisputeWon(string disputeId) => Build("stripe", "dispute-won", disputeId);

    public static GrantKey ForAppleTransaction(string transactionId) => Build("apple", "transaction", transactionId);

    public static GrantKey ForAppleRefund(string transactionId) => Build("apple", "refund", transactionId);

    /// <summary>The clawback of the unused share of a period an Apple upgrade replaced: <c>apple:upgrade:{upgrade transactionId}</c>.</summary>
    public static GrantKey ForAppleUpgrade(string upgradeTransactionId) => Build("apple", "upgrade", upgradeTransactionId);

    public static GrantKey ForAppleRefundReversal(string transactionId) => Build("apple", "refund-reversed", transactionId);

    /// <summary>
    /// The clawback of an Apple REFUND/REVOKE notification: <c>apple:refund:{transactionId}:{notificationUUID}</c>.
    /// A transaction can be refunded, reversed and refunded again; each cycle comes in its own notification, so the
    /// notification id keeps the second refund's key distinct from the first. The aggregate's state (refunded or not)
    /// is what stops two notifications about the same refund from clawing back twice.
    /// </summary>
    public static GrantKey ForAppleRefund(string transactionId, string notificationId) =>
        Build("apple", "refund", PerNotification(transactionId, notificationId));

    /// <summary>The restore of an Apple REFUND_REVERSED notification: <c>apple:refund-reversed:{transactionId}:{notificationUUID}</c>.</summary>
    public static GrantKey ForAppleRefundReversal(string transactionId, string notificationId) =>
        Build("apple", "refund-reversed", PerNotification(transactionId, notificationId));

    public static GrantKey Parse(string value)
    {
        // Same shape Build produces: three non-empty parts (the id may itself contain ':'), no whitespace or control characters.
        var parts = value?.Split(':', 3);
        if (string.IsNullOrWhiteSpace(value) || value.Length > MaxLength || parts is not { Length: 3 }
            || parts.Any(p => p.Length == 0) || value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw new InvalidDomainValueException("grant_key.invalid", "A grant key looks like provider:kind:id.");
        }

        return new GrantKey(value);
    }

    private static string PerNotification(string transactionId, string notificationId) =>
        string.IsNullOrWhiteSpace(transactionId) || string.IsNullOrWhiteSpace(notificationId)
            ? throw new InvalidDomainValueException("grant_key.provider_id", "A transaction id and a notification id are required to derive a grant key.")
            : $"{transactionId}:{notificationId}";

    private static GrantKey Build(string provider, string kind, string providerObjectId)
    {
        if (string.IsNullOrWhiteSpace(providerObjectId) || providerObjectId.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw new InvalidDomainValueException("grant_key.provider_id", "A provider object id is required to derive a grant key.");
        }

        var value = $"{provider}:{kind}:{providerObjectId}";
        return value.Length > MaxLength
            ? throw new InvalidDomainValueException("grant_key.too_long", "The provider object id is too long for a grant key.")
            : new GrantKey(value);
    }

    public override string ToString() => Value;
}
