using Billing.Domain.Catalog;
using Billing.Domain.Common;

namespace Billing.Domain.Subscriptions;

public readonly record struct SubscriptionId(Guid Value)
{
    public static SubscriptionId New() => new(Guid.CreateVersion7());
}

public enum SubscriptionSource
{
    Stripe,
    Apple,
}

/// <summary>
/// active: paid and renewing. past_due: a renewal payment failed, the provider is retrying.
/// canceled: will not renew, still entitled until the period ends. expired: ended, nothing more is granted.
/// </summary>
public enum SubscriptionStatus
{
    Active,
    PastDue,
    Canceled,
    Expired,
}

/// <summary>
/// A monthly subscription from Stripe or Apple. Credits are owed once per paid period (keyed by the payment object);
/// status changes only through guarded methods, and an event older than the last one applied never overwrites newer state.
/// </summary>
public sealed class Subscription : AggregateRoot
{
    private readonly List<SubscriptionPeriod> _paidPeriods = [];

    private Subscription()
    {
    }

    public SubscriptionId Id { get; private set; }

    public UserId UserId { get; private set; }

    public SubscriptionSource Source { get; private set; }

    public TierName Tier { get; private set; }

    /// <summary>Stripe subscription id, or Apple originalTransactionId.</summary>
    public string ProviderSubscriptionId { get; private set; } = "";

    public SubscriptionStatus Status { get; private set; }

    public Credits CreditsPerPeriod { get; private set; }

    public DateTimeOffset? CurrentPeriodStart { get; private set; }

    public DateTimeOffset? CurrentPeriodEnd { get; private set; }

    public DateTimeOffset? LastGrantAt { get; private set; }

    public bool CancelAtPeriodEnd { get; private set; }

    /// <summary>Provider time of the newest status-bearing event applied; older events are ignored for status.</summary>
    public DateTimeOffset LastEventAt { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>Apple environment ("Production" / "Sandbox") of the newest transaction recorded; null for Stripe.</summary>
    public string? Environment { get; private set; }

    public IReadOnlyList<SubscriptionPeriod> PaidPeriods => _paidPeriods;

    public static Subscription Start(UserId userId, SubscriptionSource source, SubscriptionTier tier, string providerSubscriptionId, BillingPeriod? period, DateTimeOffset occurredAt, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(providerSubscriptionId))
        {
            throw new InvalidDomainValueException("subscription.provider_id_missing", "A provider subscription id is required.");
        }

        var subscription = new Subscription
        {
            Id = SubscriptionId.New(),
            UserId = userId,
            Source = source,
            Tier = tier.Tier,
            ProviderSubscriptionId = providerSubscriptionId,
            Status = SubscriptionStatus.Active,
            CreditsPerPeriod = tier.CreditsPerPeriod,
            CurrentPeriodStart = period?.Start,
            CurrentPeriodEnd = period?.End,
            LastEventAt = occurredAt,
            CreatedAt = now,
        };
        subscription.Raise(new SubscriptionActivated(subscription.Id, userId, source, tier.Tier, occurredAt));
        return subscription;
    }

    public bool HasPaidPeriod(DateTimeOffset periodStart) => _paidPeriods.Any(p => p.PeriodStart == periodStart.ToUniversalTime());

    /// <summary>
    /// A period was paid (Stripe invoice.paid, Apple DID_RENEW / purchase). Owes the tier's credits once per period:
    /// a period already paid grants nothing, whatever key it arrives with. A payment for the newest period advances
    /// the current period and makes a past-due (or resubscribed expired) subscription active again, unless the payment
    /// is older than the last status event; a canceled one stays canceled (the user's cancel stands). An older period only grants.
    /// </summary>
    public bool RecordPaidPeriod(BillingPeriod period, GrantKey paymentKey, DateTimeOffset occurredAt, DateTimeOffset now) =>
        RecordPaidPeriod(period, paymentKey, occurredAt, now, credits: null);

    /// <summary>
    /// As <see cref="RecordPaidPeriod(BillingPeriod, GrantKey, DateTimeOffset, DateTimeOffset)"/>, but the credits come from
    /// the paid object itself (its product, its price; docs/decisions/0013), not from the current tier. Zero records the period
    /// as paid (so it is never granted later) and owes nothing.
    /// </summary>
    public bool RecordPaidPeriod(BillingPeriod period, GrantKey paymentKey, DateTimeOffset occurredAt, DateTimeOffset now, Credits? credits)
    {
        if (HasPaidPeriod(period.Start) || _paidPeriods.Any(p => p.GrantKey == paymentKey.Value))
        {
            return false;
        }

        // Only a payment for the newest period moves the subscription; a late one for an older period just grants.
        // An ended subscription revives only for a period that starts after it ended (Apple resubscribe).
        var advancesPeriod = CurrentPeriodEnd is null || period.End >= CurrentPeriodEnd;
        var stale = IsStale(occurredAt);
        if (Status == SubscriptionStatus.Expired && CurrentPeriodEnd is { } endedAt && period.Start < endedAt)
        {
            advancesPeriod = false;
        }

        var owed = credits ?? CreditsPerPeriod;
        _paidPeriods.Add(new SubscriptionPeriod(period.Start, period.End, paymentKey.Value, owed.Value, now, UserId));
        LastGrantAt = now;
        if (advancesPeriod)
        {
            CurrentPeriodStart = period.Start;
            CurrentPeriodEnd = period.End;
            if (Status != SubscriptionStatus.Active && !CancelAtPeriodEnd && !stale)
            {
                Status = SubscriptionStatus.Active;
                Raise(new SubscriptionReactivated(Id, UserId, occurredAt));
            }

            LastEventAt = Max(LastEventAt, occurredAt);
        }

        if (owed > Credits.Zero)
        {
            var tierName = ProductCatalog.GetTier(Tier).Name;
            var description = $"Subscription {tierName}: {owed} credits for {period.Start:yyyy-MM-dd}..{period.End:yyyy-MM-dd} [{paymentKey}]";
            Raise(new SubscriptionPeriodPaid(Id, UserId, period, new CreditGrantRequest(UserId, owed.Value, TransactionType.SubscriptionGrant, paymentKey, description, Environment), occurredAt));
        }

        return true;
    }

    /// <summary>
    /// An ended subscription paid again under the same provider id (Apple resubscribe: same originalTransactionId, possibly
    /// another tier of the group). A period that starts at or after the end takes the tier it was bought at, then is recorded
    /// like any paid period (which revives the subscription). A period from before the end only grants, at the current tier.
    /// </summary>
    public bool Resubscribe(SubscriptionTier tier, BillingPeriod period, GrantKey paymentKey, DateTimeOffset occurredAt, DateTimeOffset now) =>
        Resubscribe(tier, period, paymentKey, occurredAt, now, credits: null);

    /// <summary>As <see cref="Resubscribe(SubscriptionTier, BillingPeriod, GrantKey, DateTimeOffset, DateTimeOffset)"/> with the paid object's credits.</summary>
    public bool Resubscribe(SubscriptionTier tier, BillingPeriod period, GrantKey paymentKey, DateTimeOffset occurredAt, DateTimeOffset now, Credits? credits)
    {
        if (Status != SubscriptionStatus.Expired)
        {
            throw IllegalTransition(SubscriptionStatus.Active);
        }

        var alreadyPaid = HasPaidPeriod(period.Start) || _paidPeriods.Any(p => p.GrantKey == paymentKey.Value);
        var startsAfterEnd = CurrentPeriodEnd is not { } endedAt || period.Start >= endedAt;
        if (!alreadyPaid && startsAfterEnd && !IsStale(occurredAt) && tier.Tier != Tier)
        {
            var previous = Tier;
            Tier = tier.Tier;
            CreditsPerPeriod = tier.CreditsPerPeriod;
            Raise(new SubscriptionTierChanged(Id, UserId, previous, tier.Tier, occurredAt));
        }

        return RecordPaidPeriod(period, paymentKey, occurredAt, now, credits);
    }

    /// <summary>
    /// The payment of one period was refunded (Apple REFUND/REVOKE of the transaction that paid it): the credits that period
    /// granted are owed back under <paramref name="refundKey"/>. Once per refund: a period already refunded owes nothing more
    /// until the refund is reversed. False (and nothing owed) when no period was paid with <paramref name="paymentKey"/>.
    /// Status is not changed here: whether access ends is the provider's next word (or the caller's decision).
    /// </summary>
    public bool RefundPeriod(GrantKey paymentKey, GrantKey refundKey, DateTimeOffset occurredAt)
    {
        var period = _paidPeriods.FirstOrDefault(p => p.GrantKey == paymentKey.Value);
        if (period is null || period.RefundedAt is not null || period.CreditsGranted == 0)
        {
            return false;
        }

        period.MarkRefunded(occurredAt);
        var paidBy = period.PaidBy ?? UserId;
        var description = $"Refund: {period.CreditsGranted} subscription credits for {period.PeriodStart:yyyy-MM-dd}..{period.PeriodEnd:yyyy-MM-dd} clawed back [{refundKey}]";
        Raise(new SubscriptionPeriodRefunded(Id, paidBy, BillingPeriod.Of(period.PeriodStart, period.PeriodEnd), new CreditGrantRequest(paidBy, -period.CreditsGranted, TransactionType.Refund, refundKey, description, Environment), occurredAt));
        return true;
    }

    /// <summary>The refund of a period was reversed (Apple REFUND_REVERSED): the credits clawed back are owed again, once.</summary>
    public bool ReversePeriodRefund(GrantKey paymentKey, GrantKey reversalKey, DateTimeOffset occurredAt)
    {
        var period = _paidPeriods.FirstOrDefault(p => p.GrantKey == paymentKey.Value);
        return ReversePeriodRefund(paymentKey, reversalKey, Credits.Of(period?.CreditsGranted ?? 0), occurredAt);
    }

    /// <summary>
    /// The refund of a period was reversed: only <paramref name="creditsDebited"/>, what its clawback really took (the caller
    /// voids a clawback never applied), is owed again, at most what the period granted (docs/decisions/0011).
    /// </summary>
    public bool ReversePeriodRefund(GrantKey paymentKey, GrantKey reversalKey, Credits creditsDebited, DateTimeOffset occurredAt)
    {
        var period = _paidPeriods.FirstOrDefault(p => p.GrantKey == paymentKey.Value);
        if (period?.RefundedAt is null)
        {
            return false;
        }

        period.ClearRefund();
        var restored = Math.Min(creditsDebited.Value, period.CreditsGranted);
        if (restored > 0)
        {
            var description = $"Refund reversed: {restored} subscription credits for {period.PeriodStart:yyyy-MM-dd}..{period.PeriodEnd:yyyy-MM-dd} restored [{reversalKey}]";
            var paidBy = period.PaidBy ?? UserId;
            Raise(new SubscriptionPeriodRefundReversed(Id, paidBy, BillingPeriod.Of(period.PeriodStart, period.PeriodEnd), new CreditGrantRequest(paidBy, restored, TransactionType.SubscriptionGrant, reversalKey, description, Environment), occurredAt));
        }

        return true;
    }

    /// <summary>
    /// A new purchase of this subscription (Apple: transactionReason PURCHASE with the buyer's appAccountToken, e.g. a
    /// resubscribe under another account) makes the buyer its owner from that period on; earlier periods stay with whoever
    /// paid them. False when the owner does not change.
    /// </summary>
    public bool TransferOwnership(UserId newOwner, DateTimeOffset occurredAt)
    {
        if (newOwner == UserId)
        {
            return false;
        }

        var previous = UserId;
        UserId = newOwner;
        Raise(new SubscriptionOwnerChanged(Id, previous, newOwner, occurredAt));
        return true;
    }

    /// <summary>
    /// An upgrade replaced the period in force at <paramref name="upgradedAt"/> (Apple refunds its unused share pro rata): the
    /// credits of that unused share, rounded down, are clawed back under <paramref name="clawbackKey"/> from whoever the period
    /// paid (docs/decisions/0013). False when no granted, unrefunded period spans that instant. The caller calls it once, when
    /// the upgrade's own period is first recorded; the key is unique in the outbox besides.
    /// </summary>
    public bool ProrateUpgradedPeriod(DateTimeOffset upgradedAt, GrantKey clawbackKey, DateTimeOffset occurredAt)
    {
        var at = upgradedAt.ToUniversalTime();
        var replaced = _paidPeriods.FirstOrDefault(p => p.PeriodStart < at && at < p.PeriodEnd && p.RefundedAt is null && p.CreditsGranted > 0);
        if (replaced is null)
        {
            return false;
        }

        var unused = (replaced.PeriodEnd - at).Ticks / (double)(replaced.PeriodEnd - replaced.PeriodStart).Ticks;
        var credits = (int)Math.Floor(replaced.CreditsGranted * unused);
        if (credits <= 0)
        {
            return false;
        }

        var paidBy = replaced.PaidBy ?? UserId;
        var description = $"Upgrade: {credits} of {replaced.CreditsGranted} credits for the unused share of {replaced.PeriodStart:yyyy-MM-dd}..{replaced.PeriodEnd:yyyy-MM-dd} clawed back [{clawbackKey}]";
        Raise(new SubscriptionPeriodRefunded(Id, paidBy, BillingPeriod.Of(replaced.PeriodStart, replaced.PeriodEnd), new CreditGrantRequest(paidBy, -credits, TransactionType.Refund, clawbackKey, description, Environment), occurredAt));
        return true;
    }

    /// <summary>Records the Apple environment of the newest transaction seen for this subscription.</summary>
    public void RecordEnvironment(string? environment)
    {
        if (!string.IsNullOrWhiteSpace(environment))
        {
            Environment = environment;
        }
    }

    /// <summary>
    /// A renewal payment failed. active → past_due; a repeat is a no-op; an ended subscription refuses it.
    /// A canceled subscription stays canceled: it will not renew anyway, and past_due would drop the cancel
    /// (status and <see cref="CancelAtPeriodEnd"/> would disagree, and a later payment could not reactivate it).
    /// </summary>
    public bool MarkPastDue(DateTimeOffset occurredAt)
    {
        if (IsStale(occurredAt))
        {
            return false;
        }

        switch (Status)
        {
            case SubscriptionStatus.PastDue:
                return Repeat(occurredAt);
            case SubscriptionStatus.Canceled:
                return false;
            case SubscriptionStatus.Expired:
                throw IllegalTransition(SubscriptionStatus.PastDue);
            case SubscriptionStatus.Active:
            default:
                Status = SubscriptionStatus.PastDue;
                LastEventAt = occurredAt;
                Raise(new SubscriptionMarkedPastDue(Id, UserId, occurredAt));
                return true;
        }
    }

    /// <summary>The user turned renewal off. active/past_due → canceled (entitled until the period ends).</summary>
    public bool Cancel(DateTimeOffset occurredAt)
    {
        if (IsStale(occurredAt))
        {
            return false;
        }

        switch (Status)
        {
            case SubscriptionStatus.Canceled:
                return Repeat(occurredAt);
            case SubscriptionStatus.Expired:
                throw IllegalTransition(SubscriptionStatus.Canceled);
            case SubscriptionStatus.Active:
            case SubscriptionStatus.PastDue:
            default:
                Status = SubscriptionStatus.Canceled;
                CancelAtPeriodEnd = true;
                LastEventAt = occurredAt;
                Raise(new SubscriptionCanceled(Id, UserId, CurrentPeriodEnd, occurredAt));
                return true;
        }
    }

    /// <summary>The user turned renewal back on. canceled → active. Only a canceled subscription can resume.</summary>
    public bool Resume(DateTimeOffset occurredAt)
    {
        if (IsStale(occurredAt))
        {
            return false;
        }

        switch (Status)
        {
            case SubscriptionStatus.Active:
                return Repeat(occurredAt);
            case SubscriptionStatus.Canceled:
                Status = SubscriptionStatus.Active;
                CancelAtPeriodEnd = false;
                LastEventAt = occurredAt;
                Raise(new SubscriptionResumed(Id, UserId, occurredAt));
                return true;
            case SubscriptionStatus.PastDue:
            case SubscriptionStatus.Expired:
            default:
                throw IllegalTransition(SubscriptionStatus.Active);
        }
    }

    /// <summary>The payment problem was fixed without a new period (Stripe status back to active). past_due → active.</summary>
    public bool RecoverFromPastDue(DateTimeOffset occurredAt)
    {
        if (IsStale(occurredAt))
        {
            return false;
        }

        if (Status == SubscriptionStatus.Expired)
        {
            throw IllegalTransition(SubscriptionStatus.Active);
        }

        if (Status == SubscriptionStatus.Active)
        {
            return Repeat(occurredAt);
        }

        if (Status != SubscriptionStatus.PastDue)
        {
            return false;
        }

        Status = SubscriptionStatus.Active;
        LastEventAt = occurredAt;
        Raise(new SubscriptionReactivated(Id, UserId, occurredAt));
        return true;
    }

    /// <summary>The subscription ended (deleted, expired, grace period over). Any state → expired; expired is final.</summary>
    public bool Expire(DateTimeOffset occurredAt)
    {
        if (Status == SubscriptionStatus.Expired || IsStale(occurredAt))
        {
            return false;
        }

        Status = SubscriptionStatus.Expired;
        CancelAtPeriodEnd = false;
        LastEventAt = occurredAt;
        Raise(new SubscriptionExpired(Id, UserId, occurredAt));
        return true;
    }

    /// <summary>Tier changed by the provider (upgrade/downgrade). Applies to the next paid period.</summary>
    public bool ChangeTier(SubscriptionTier tier, DateTimeOffset occurredAt)
    {
        if (IsStale(occurredAt))
        {
            return false;
        }

        if (tier.Tier == Tier)
        {
            return Repeat(occurredAt);
        }

        if (Status == SubscriptionStatus.Expired)
        {
            throw new DomainException("subscription.expired", "An expired subscription cannot change tier.");
        }

        var previous = Tier;
        Tier = tier.Tier;
        CreditsPerPeriod = tier.CreditsPerPeriod;
        LastEventAt = occurredAt;
        Raise(new SubscriptionTierChanged(Id, UserId, previous, tier.Tier, occurredAt));
        return true;
    }

    private bool IsStale(DateTimeOffset occurredAt) => occurredAt < LastEventAt;

    /// <summary>
    /// An event that finds the state it asks for changes nothing, but it is still the newest word on the matter:
    /// an older event delivered after it (cancel@1 after resume@2) must not apply.
    /// </summary>
    private bool Repeat(DateTimeOffset occurredAt)
    {
        LastEventAt = occurredAt;
        return false;
    }

    private DomainException IllegalTransition(SubscriptionStatus to) =>
        new("subscription.illegal_transition", $"A subscription cannot go from {Status} to {to}.");

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}

/// <summary>One paid period and the payment that granted it; unique per subscription and period start.</summary>
public sealed class SubscriptionPeriod
{
    private SubscriptionPeriod()
    {
    }

    internal SubscriptionPeriod(DateTimeOffset periodStart, DateTimeOffset periodEnd, string grantKey, int creditsGranted, DateTimeOffset grantedAt, UserId paidBy)
    {
        PaidBy = paidBy;
        PeriodStart = periodStart;
        PeriodEnd = periodEnd;
        GrantKey = grantKey;
        CreditsGranted = creditsGranted;
        GrantedAt = grantedAt;
    }

    public long Id { get; private set; }

    public DateTimeOffset PeriodStart { get; private set; }

    public DateTimeOffset PeriodEnd { get; private set; }

    public string GrantKey { get; private set; } = "";

    public int CreditsGranted { get; private set; }

    public DateTimeOffset GrantedAt { get; private set; }

    /// <summary>
    /// The user this period was granted to. An Apple subscription can move to another user (a new purchase under another
    /// account); its earlier periods stay theirs, so their refunds claw back from them. Null on rows older than the column.
    /// </summary>
    public UserId? PaidBy { get; private set; }

    /// <summary>Set while the payment of this period stands refunded (its credits clawed back).</summary>
    public DateTimeOffset? RefundedAt { get; private set; }

    internal void MarkRefunded(DateTimeOffset at) => RefundedAt = at;

    internal void ClearRefund() => RefundedAt = null;
}

public sealed record SubscriptionActivated(SubscriptionId SubscriptionId, UserId UserId, SubscriptionSource Source, TierName Tier, DateTimeOffset OccurredAt) : IDomainEvent;

public sealed record SubscriptionPeriodPaid(SubscriptionId SubscriptionId, UserId UserId, BillingPeriod Period, CreditGrantRequest Grant, DateTimeOffset OccurredAt) : ICreditsOwedEvent;

/// <summary>The payment of a period was refunded: a negative grant of what the period granted.</summary>
public sealed record SubscriptionPeriodRefunded(SubscriptionId SubscriptionId, UserId UserId, BillingPeriod Period, CreditGrantRequest Grant, DateTimeOffset OccurredAt) : ICreditsOwedEvent;

public sealed record SubscriptionPeriodRefundReversed(SubscriptionId SubscriptionId, UserId UserId, BillingPeriod Period, CreditGrantRequest Grant, DateTimeOffset OccurredAt) : ICreditsOwedEvent;

public sealed record SubscriptionOwnerChanged(SubscriptionId SubscriptionId, UserId From, UserId To, DateTimeOffset OccurredAt) : IDomainEvent;

public sealed record SubscriptionMarkedPastDue(SubscriptionId SubscriptionId, UserId UserId, DateTimeOffset OccurredAt) : IDomainEvent;

public sealed record SubscriptionCanceled(SubscriptionId SubscriptionId, UserId UserId, DateTimeOffset? EntitledUntil, DateTimeOffset OccurredAt) : IDomainEvent;

public sealed record SubscriptionResumed(SubscriptionId SubscriptionId, UserId UserId, DateTimeOffset OccurredAt) : IDomainEvent;

public sealed record SubscriptionReactivated(SubscriptionId SubscriptionId, UserId UserId, DateTimeOffset OccurredAt) : IDomainEvent;

public sealed record SubscriptionExpired(SubscriptionId SubscriptionId, UserId UserId, DateTimeOffset OccurredAt) : IDomainEvent;

public sealed record SubscriptionTierChanged(SubscriptionId SubscriptionId, UserId UserId, TierName From, TierName To, DateTimeOffset OccurredAt) : IDomainEvent;
