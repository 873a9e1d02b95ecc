using Billing.Domain.Catalog;
using Billing.Domain.Common;

namespace Billing.Domain.Purchases;

public readonly record struct PurchaseId(Guid Value)
{
    public static PurchaseId New() => new(Guid.CreateVersion7());
}

public enum PurchaseStatus
{
    Pending,
    Paid,
    PartiallyRefunded,
    Refunded,
}

/// <summary>
/// A one-time credit-pack purchase (Stripe checkout or Apple consumable).
/// pending → paid → partially refunded / refunded. Credits are owed exactly once, when it becomes paid;
/// refunds claw back credits in proportion to the amount refunded, once per refund.
/// </summary>
public sealed class Purchase : AggregateRoot
{
    private Purchase()
    {
    }

    public PurchaseId Id { get; private set; }

    public UserId UserId { get; private set; }

    public PaymentProvider Provider { get; private set; }

    public string ProductId { get; private set; } = "";

    public Credits Credits { get; private set; }

    public Money Price { get; private set; }

    /// <summary>Stripe checkout session id, or Apple transactionId: the object the grant key derives from.</summary>
    public string ProviderPurchaseId { get; private set; } = "";

    /// <summary>Stripe payment intent id, or Apple originalTransactionId.</summary>
    public string? ProviderPaymentId { get; private set; }

    public PurchaseStatus Status { get; private set; }

    public long AmountRefundedMinor { get; private set; }

    public Credits CreditsClawedBack { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset? PaidAt { get; private set; }

    public DateTimeOffset? RefundedAt { get; private set; }

    /// <summary>Apple environment ("Production" / "Sandbox") the transaction came from; null for Stripe.</summary>
    public string? Environment { get; private set; }

    public GrantKey GrantKey => Provider == PaymentProvider.Stripe
        ? GrantKey.ForStripeCheckoutSession(ProviderPurchaseId)
        : GrantKey.ForAppleTransaction(ProviderPurchaseId);

    /// <summary>A Stripe checkout was opened for this pack; nothing is owed until it is paid.</summary>
    public static Purchase StartStripeCheckout(UserId userId, CreditPack pack, string checkoutSessionId, DateTimeOffset now)
    {
        var purchase = Create(userId, PaymentProvider.Stripe, pack, pack.Price, checkoutSessionId, now);
        purchase.Raise(new PurchaseStarted(purchase.Id, userId, pack.Id, now));
        return purchase;
    }

    /// <summary>An Apple consumable arrives already paid (StoreKit only reports completed transactions).</summary>
    public static Purchase RecordApplePurchase(UserId userId, CreditPack pack, string transactionId, string? originalTransactionId, Money? pricePaid, DateTimeOffset purchasedAt, DateTimeOffset now) =>
        RecordApplePurchase(userId, pack, transactionId, originalTransactionId, pricePaid, purchasedAt, now, environment: null, grantsCredits: true);

    /// <summary>
    /// An Apple consumable with the environment it came from. <paramref name="grantsCredits"/> false records a purchase that
    /// owes nothing (Sandbox money in Production, docs/decisions/0010): zero credits, so nothing is granted or clawed back.
    /// </summary>
    public static Purchase RecordApplePurchase(UserId userId, CreditPack pack, string transactionId, string? originalTransactionId, Money? pricePaid, DateTimeOffset purchasedAt, DateTimeOffset now, string? environment, bool grantsCredits)
    {
        var bought = grantsCredits ? pack : pack with { Credits = Credits.Zero };
        var purchase = Create(userId, PaymentProvider.Apple, bought, pricePaid ?? pack.Price, transactionId, now);
        purchase.Environment = environment;
        purchase.MarkPaid(originalTransactionId, purchasedAt);
        return purchase;
    }

    private static Purchase Create(UserId userId, PaymentProvider provider, CreditPack pack, Money price, string providerPurchaseId, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(providerPurchaseId))
        {
            throw new InvalidDomainValueException("purchase.provider_id_missing", "A provider purchase id is required.");
        }

        return new Purchase
        {
            Id = PurchaseId.New(),
            UserId = userId,
            Provider = provider,
            ProductId = pack.Id,
            Credits = pack.Credits,
            Price = price,
            ProviderPurchaseId = providerPurchaseId,
            Status = PurchaseStatus.Pending,
            CreatedAt = now,
        };
    }

    /// <summary>Marks the purchase paid and owes its credits. Returns false (and owes nothing) when it was already paid.</summary>
    public bool MarkPaid(string? providerPaymentId, DateTimeOffset paidAt)
    {
        if (Status != PurchaseStatus.Pending)
        {
            return false;
        }

        Status = PurchaseStatus.Paid;
        ProviderPaymentId = providerPaymentId ?? ProviderPaymentId;
        PaidAt = paidAt;
        var type = Provider == PaymentProvider.Stripe ? TransactionType.StripePurchase : TransactionType.AppleIap;
        var description = $"{(Provider == PaymentProvider.Stripe ? "Stripe purchase" : "Apple IAP")}: {Credits} credits ({Price.Display()}) [{GrantKey}]";
        if (Credits > Credits.Zero)
        {
            Raise(new PurchasePaid(Id, UserId, ProductId, new CreditGrantRequest(UserId, Credits.Value, type, GrantKey, description, Environment), paidAt));
        }

        return true;
    }

    /// <summary>
    /// Records a refund. <paramref name="cumulativeRefundedMinor"/> is the total refunded so far (Stripe's amount_refunded).
    /// The credits clawed back follow the refunded share, rounded down so a customer is never charged back more than paid for;
    /// a full refund claws back everything. A refund already counted claws back nothing more.
    /// </summary>
    public bool RecordRefund(GrantKey refundKey, long cumulativeRefundedMinor, DateTimeOffset refundedAt)
    {
        EnsureRefundable();
        if (cumulativeRefundedMinor <= 0 || cumulativeRefundedMinor > Price.MinorUnits)
        {
            throw new InvalidDomainValueException("purchase.refund_amount", "A refund must be more than zero and at most the price paid.");
        }

        if (cumulativeRefundedMinor <= AmountRefundedMinor)
        {
            return false;
        }

        AmountRefundedMinor = cumulativeRefundedMinor;
        var fullyRefunded = cumulativeRefundedMinor == Price.MinorUnits;
        var target = fullyRefunded ? Credits : Credits.Of((int)(Credits.Value * cumulativeRefundedMinor / Price.MinorUnits));
        ApplyClawback(refundKey, target, fullyRefunded, "Refund", refundedAt);
        return true;
    }

    /// <summary>Apple refunds (and lost disputes) are always for the whole purchase.</summary>
    public bool RecordFullRefund(GrantKey refundKey, DateTimeOffset refundedAt)
    {
        EnsureRefundable();
        if (Status == PurchaseStatus.Refunded)
        {
            return false;
        }

        AmountRefundedMinor = Price.MinorUnits;
        ApplyClawback(refundKey, Credits, fullyRefunded: true, "Refund", refundedAt);
        return true;
    }

    /// <summary>A lost dispute: the money is gone, so whatever credits remain are clawed back.</summary>
    public bool RecordDisputeLost(GrantKey disputeKey, DateTimeOffset closedAt)
    {
        EnsureRefundable();
        if (Status == PurchaseStatus.Refunded)
        {
            return false;
        }

        AmountRefundedMinor = Price.MinorUnits;
        ApplyClawback(disputeKey, Credits, fullyRefunded: true, "Dispute lost", closedAt);
        return true;
    }

    /// <summary>Apple REFUND_REVERSED: the refund was undone, so the clawed-back credits are owed again.</summary>
    public bool ReverseRefund(GrantKey reversalKey, DateTimeOffset reversedAt) => ReverseRefund(reversalKey, CreditsClawedBack, reversedAt);

    /// <summary>
    /// The refund was undone. Only <paramref name="creditsDebited"/>, what the clawbacks really took from the user (the caller
    /// voids the ones never applied), is owed again, never more than was clawed back (docs/decisions/0011).
    /// </summary>
    public bool ReverseRefund(GrantKey reversalKey, Credits creditsDebited, DateTimeOffset reversedAt)
    {
        if (Status is not (PurchaseStatus.Refunded or PurchaseStatus.PartiallyRefunded))
        {
            return false;
        }

        var restored = creditsDebited < CreditsClawedBack ? creditsDebited : CreditsClawedBack;
        Status = PurchaseStatus.Paid;
        AmountRefundedMinor = 0;
        CreditsClawedBack = Credits.Zero;
        RefundedAt = null;
        if (restored > Credits.Zero)
        {
            var description = $"Refund reversed: {restored} credits restored [{reversalKey}]";
            var type = Provider == PaymentProvider.Stripe ? TransactionType.StripePurchase : TransactionType.AppleIap;
            Raise(new PurchaseRefundReversed(Id, UserId, new CreditGrantRequest(UserId, restored.Value, type, reversalKey, description, Environment), reversedAt));
        }

        return true;
    }

    /// <summary>
    /// A dispute whose loss was clawed back ended won after all (Stripe reinstated the funds): the purchase goes back to what
    /// its refunds alone make it (<paramref name="amountRefundedMinor"/>, the charge's amount_refunded), the dispute's clawback
    /// (<paramref name="disputeClawback"/> credits) no longer stands, and only <paramref name="creditsDebited"/> of it, what it
    /// really took, is owed again (docs/decisions/0011). False when nothing the dispute took is held back.
    /// </summary>
    public bool ReverseDisputeLoss(GrantKey restoreKey, Credits disputeClawback, long amountRefundedMinor, Credits creditsDebited, DateTimeOffset at)
    {
        if (Status == PurchaseStatus.Pending || disputeClawback > CreditsClawedBack || amountRefundedMinor < 0 || amountRefundedMinor > Price.MinorUnits)
        {
            return false;
        }

        CreditsClawedBack -= disputeClawback;
        AmountRefundedMinor = amountRefundedMinor;
        Status = amountRefundedMinor == 0 ? PurchaseStatus.Paid
            : amountRefundedMinor == Price.MinorUnits ? PurchaseStatus.Refunded
            : PurchaseStatus.PartiallyRefunded;
        if (Status == PurchaseStatus.Paid)
        {
            RefundedAt = null;
        }

        var restored = creditsDebited < disputeClawback ? creditsDebited : disputeClawback;
        if (restored > Credits.Zero)
        {
            var type = Provider == PaymentProvider.Stripe ? TransactionType.StripePurchase : TransactionType.AppleIap;
            Raise(new PurchaseRefundReversed(Id, UserId, new CreditGrantRequest(UserId, restored.Value, type, restoreKey, $"Dispute won: {restored} credits restored [{restoreKey}]", Environment), at));
        }

        return true;
    }

    private void EnsureRefundable()
    {
        if (Status == PurchaseStatus.Pending)
        {
            throw new DomainException("purchase.not_paid", "A purchase that was never paid cannot be refunded.");
        }
    }

    private void ApplyClawback(GrantKey key, Credits targetClawedBack, bool fullyRefunded, string reason, DateTimeOffset at)
    {
        var delta = targetClawedBack - CreditsClawedBack;
        CreditsClawedBack = targetClawedBack;
        Status = fullyRefunded ? PurchaseStatus.Refunded : PurchaseStatus.PartiallyRefunded;
        RefundedAt = at;
        Raise(new PurchaseRefunded(Id, UserId, Status, AmountRefundedMinor, at));
        if (delta > Credits.Zero)
        {
            var clawback = new CreditGrantRequest(UserId, -delta.Value, TransactionType.Refund, key, $"{reason}: {delta} credits clawed back [{key}]", Environment);
            Raise(new PurchaseCreditsClawedBack(Id, UserId, clawback, at));
        }
    }
}

public sealed record PurchaseStarted(PurchaseId PurchaseId, UserId UserId, string ProductId, DateTimeOffset OccurredAt) : IDomainEvent;

public sealed record PurchasePaid(PurchaseId PurchaseId, UserId UserId, string ProductId, CreditGrantRequest Grant, DateTimeOffset OccurredAt) : ICreditsOwedEvent;

public sealed record PurchaseRefunded(PurchaseId PurchaseId, UserId UserId, PurchaseStatus Status, long AmountRefundedMinor, DateTimeOffset OccurredAt) : IDomainEvent;

/// <summary>Credits owed back after a refund or a lost dispute: a negative grant.</summary>
public sealed record PurchaseCreditsClawedBack(PurchaseId PurchaseId, UserId UserId, CreditGrantRequest Grant, DateTimeOffset OccurredAt) : ICreditsOwedEvent;

public sealed record PurchaseRefundReversed(PurchaseId PurchaseId, UserId UserId, CreditGrantRequest Grant, DateTimeOffset OccurredAt) : ICreditsOwedEvent;
