using Billing.Domain.Common;

namespace Billing.Domain.Grants;

public readonly record struct CreditGrantId(Guid Value)
{
    public static CreditGrantId New() => new(Guid.CreateVersion7());
}

/// <summary>
/// pending: waiting for (another) delivery attempt. delivered: Flash applied it.
/// in_doubt: an attempt may have reached Flash, nothing can confirm it, and policy forbids a blind resend: an operator decides.
/// dead: refused definitively, or out of attempts; an operator can requeue it.
/// owed_debt: a clawback Flash could not take (no debit route, or the user has already spent the credits): kept as visible debt,
/// collected from the user's next positive grants (docs/decisions/0012).
/// voided: a clawback whose refund was reversed before it was applied: terminal, never sent (docs/decisions/0011).
/// </summary>
public enum CreditGrantStatus
{
    Pending,
    Delivered,
    InDoubt,
    Dead,
    OwedDebt,
    Voided,
}

/// <summary>How a delivered grant was confirmed.</summary>
public enum GrantConfirmation
{
    /// <summary>Flash answered 200 to our request.</summary>
    Response,

    /// <summary>Found in Flash's ledger history after an ambiguous attempt; not resent.</summary>
    History,

    /// <summary>An operator checked Flash and confirmed it by hand.</summary>
    Operator,

    /// <summary>Nothing had to be sent: owed debt took the whole grant (or a debt was collected entirely from grants).</summary>
    Netting,
}

/// <summary>
/// The outbox row for one grant: written in the same transaction as the aggregate change that owes it, unique on its grant
/// key, delivered to Flash by the dispatcher. Flash's grant is not idempotent, so delivery is write-ahead: an attempt is
/// recorded (and committed) before the request leaves, and a row whose attempt may have reached Flash is never resent
/// until Flash's history says it was not applied (docs/decisions/0004).
/// </summary>
public sealed class CreditGrant
{
    private const int MaxErrorLength = 1000;

    private CreditGrant()
    {
    }

    public CreditGrantId Id { get; private set; }

    public GrantKey GrantKey { get; private set; }

    public UserId UserId { get; private set; }

    /// <summary>Signed: positive grants, negative clawbacks.</summary>
    public int Amount { get; private set; }

    public TransactionType TransactionType { get; private set; }

    public string Description { get; private set; } = "";

    public string SourceEvent { get; private set; } = "";

    public CreditGrantStatus Status { get; private set; }

    public int Attempts { get; private set; }

    public bool AttemptInFlight { get; private set; }

    public bool Unconfirmed { get; private set; }

    public DateTimeOffset NextAttemptAt { get; private set; }

    public DateTimeOffset? LastAttemptAt { get; private set; }

    public string? LastError { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset? DeliveredAt { get; private set; }

    public GrantConfirmation? DeliveredVia { get; private set; }

    public int? FlashBalanceAfter { get; private set; }

    /// <summary>Apple environment ("Production" / "Sandbox") of the data that owed this grant; null for Stripe.</summary>
    public string? Environment { get; private set; }

    /// <summary>A positive grant: credits withheld from it to pay the owed debt <see cref="NettedDebtGrantId"/>.</summary>
    public int NettedCredits { get; private set; }

    public CreditGrantId? NettedDebtGrantId { get; private set; }

    /// <summary>A clawback: credits of it already collected by netting them against later positive grants.</summary>
    public int DebtCollected { get; private set; }
    /// <summary>When the first failure that counts toward the give-up budget happened (an attempt that reached Flash, or whose
    /// outcome is unknown); null while nothing has failed since creation or the last requeue. Attempts that were never sent do not
    /// set it (docs/decisions/0007).</summary>
    public DateTimeOffset? FailingSince { get; private set; }

    /// <summary>Start of the earliest attempt that may have been applied and is not resolved yet: where a history search must
    /// begin (docs/decisions/0007). Null when no unresolved attempt may have been applied.</summary>
    public DateTimeOffset? MayBeAppliedSince { get; private set; }

    public bool IsClawback => Amount < 0;

    /// <summary>What still goes to Flash: a positive grant less what debt took; a clawback less what netting collected (signed).</summary>
    public int AmountToSend => IsClawback ? Amount + DebtCollected : Amount - NettedCredits;

    /// <summary>Owed debt not collected yet (0 for anything but a clawback in owed_debt).</summary>
    public int OutstandingDebt => Status == CreditGrantStatus.OwedDebt ? -Amount - DebtCollected : 0;

    /// <summary>
    /// A clawback's credits that really left the user: all of it once delivered, else what netting collected. What a reversal
    /// gives back (docs/decisions/0011).
    /// </summary>
    public int CreditsDebited => !IsClawback ? 0 : Status == CreditGrantStatus.Delivered ? -Amount : DebtCollected;

    /// <summary>A clawback nothing can have applied yet (not in flight, not possibly applied): it can still be voided.</summary>
    public bool CanBeVoided => IsClawback
        && (Status is CreditGrantStatus.OwedDebt or CreditGrantStatus.Dead
            || (Status == CreditGrantStatus.Pending && !AttemptInFlight && !Unconfirmed));

    /// <summary>A previous attempt may have been applied by Flash (it was ambiguous, or the process died during it).</summary>
    public bool MayAlreadyBeApplied => Unconfirmed || AttemptInFlight;

    public static CreditGrant FromRequest(CreditGrantRequest request, string sourceEvent, DateTimeOffset now)
    {
        if (request.Amount == 0)
        {
            throw new InvalidDomainValueException("grant.zero", "A grant of zero credits is not a grant.");
        }

        if (!request.Description.Contains(request.Key.Value, StringComparison.Ordinal))
        {
            // The key in the description is how a grant is found again in Flash's history; without it reconciliation is blind.
            throw new InvalidDomainValueException("grant.description_without_key", "A grant's description must carry its grant key.");
        }

        return new CreditGrant
        {
            Id = CreditGrantId.New(),
            GrantKey = request.Key,
            UserId = request.UserId,
            Amount = request.Amount,
            TransactionType = request.TransactionType,
            Description = request.Description,
            SourceEvent = sourceEvent,
            Status = CreditGrantStatus.Pending,
            NextAttemptAt = now,
            CreatedAt = now,
            Environment = request.Environment,
        };
    }

    /// <summary>Keeps other dispatchers off the row until <paramref name="leaseUntil"/> while this one works on it (a claim, or a
    /// release back to due with <paramref name="leaseUntil"/> = now). Changes nothing else: the attempt itself starts later.</summary>
    public void LeaseUntil(DateTimeOffset leaseUntil)
    {
        EnsurePending();
        NextAttemptAt = leaseUntil;
    }

    /// <summary>
    /// A new positive grant pays (part of) the user's owed debt: what it withholds is recorded here and collected on the debt
    /// row, linked both ways. A grant the debt takes entirely has nothing left to send and is settled at once. Returns the
    /// credits netted (0 when there is nothing to net).
    /// </summary>
    public int NetAgainst(CreditGrant debt, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(debt);
        if (IsClawback || Status != CreditGrantStatus.Pending || Attempts > 0 || NettedDebtGrantId is not null)
        {
            throw new DomainException("grant.not_nettable", "Only a new positive grant can pay owed debt.");
        }

        var netted = Math.Min(AmountToSend, debt.OutstandingDebt);
        if (netted <= 0)
        {
            return 0;
        }

        debt.CollectDebt(netted, now);
        NettedCredits = netted;
        NettedDebtGrantId = debt.Id;
        if (AmountToSend == 0)
        {
            Settle(GrantConfirmation.Netting, now);
        }

        return netted;
    }

    /// <summary>
    /// The refund behind this clawback was reversed before the clawback was applied: it is never sent. Terminal. Only a clawback
    /// that nothing can have applied (see <see cref="CanBeVoided"/>); the database claims it with the same condition first.
    /// </summary>
    public void Void(string reason, DateTimeOffset now)
    {
        if (!CanBeVoided)
        {
            throw new DomainException("grant.not_voidable", $"A {Status} grant{(AttemptInFlight || Unconfirmed ? " that may have reached Flash" : "")} cannot be voided.");
        }

        Status = CreditGrantStatus.Voided;
        LastError = Truncate(reason);
        NextAttemptAt = now;
    }

    private void CollectDebt(int credits, DateTimeOffset now)
    {
        if (credits <= 0 || credits > OutstandingDebt)
        {
            throw new DomainException("grant.debt_overcollected", "More debt collected than is owed.");
        }

        DebtCollected += credits;
        if (OutstandingDebt == 0)
        {
            Settle(GrantConfirmation.Netting, now);
        }
    }

    private void Settle(GrantConfirmation via, DateTimeOffset now)
    {
        Status = CreditGrantStatus.Delivered;
        DeliveredVia = via;
        DeliveredAt = now;
        AttemptInFlight = false;
        Unconfirmed = false;
        LastError = null;
    }

    /// <summary>
    /// Claims the row for one attempt. A crash leaves <see cref="AttemptInFlight"/> set, so the next claim knows the request
    /// may have reached Flash. <paramref name="leaseUntil"/> keeps other dispatchers off the row while the attempt runs.
    /// </summary>
    public void StartAttempt(DateTimeOffset now, DateTimeOffset leaseUntil)
    {
        EnsurePending();
        if (AttemptInFlight)
        {
            // The previous attempt never reported back: treat it as possibly applied.
            Unconfirmed = true;
            MayBeAppliedSince ??= LastAttemptAt ?? CreatedAt;
        }

        Attempts++;
        AttemptInFlight = true;
        LastAttemptAt = now;
        NextAttemptAt = leaseUntil;
    }

    public void MarkDelivered(int? balanceAfter, DateTimeOffset now)
    {
        EnsurePending();
        Status = CreditGrantStatus.Delivered;
        DeliveredVia = GrantConfirmation.Response;
        DeliveredAt = now;
        FlashBalanceAfter = balanceAfter;
        AttemptInFlight = false;
        Unconfirmed = false;
        LastError = null;
    }

    /// <summary>Flash's history shows the grant: an earlier attempt was applied. Delivered, and never resent.</summary>
    public void ConfirmFromHistory(DateTimeOffset now)
    {
        EnsurePending();
        Status = CreditGrantStatus.Delivered;
        DeliveredVia = GrantConfirmation.History;
        DeliveredAt = now;
        AttemptInFlight = false;
        Unconfirmed = false;
        LastError = null;
    }

    /// <summary>Flash's history, read after the settle time, does not show the grant: earlier attempts were not applied.</summary>
    public void ResolveAsNotApplied()
    {
        EnsurePending();
        Unconfirmed = false;
        AttemptInFlight = false;
        MayBeAppliedSince = null;
    }

    /// <summary>The attempt never left this process (connection refused, DNS, circuit open): certainly not applied, and it does
    /// not count toward the give-up budget. Retried after <paramref name="retryAt"/>.</summary>
    public void RecordNotSent(string error, DateTimeOffset retryAt)
    {
        EnsurePending();
        AttemptInFlight = false;
        LastError = Truncate(error);
        NextAttemptAt = retryAt;
    }

    /// <summary>
    /// The attempt reached Flash (or its history) and failed without applying anything (429 from a proxy, 401/403 configuration
    /// error, history unavailable). Counts toward the give-up budget: dead once the first such failure is older than
    /// <paramref name="giveUpAfter"/>; retried after <paramref name="retryAt"/> until then.
    /// </summary>
    public void RecordFailedAttempt(string error, DateTimeOffset now, DateTimeOffset retryAt, TimeSpan giveUpAfter)
    {
        EnsurePending();
        AttemptInFlight = false;
        LastError = Truncate(error);
        NextAttemptAt = retryAt;
        FailingSince ??= now;
        if (now - FailingSince.Value >= giveUpAfter)
        {
            Status = CreditGrantStatus.Dead;
            LastError = Truncate($"gave up after {giveUpAfter.TotalDays:0.##} days of failed attempts; last: {error}");
        }
    }

    /// <summary>
    /// A reconciliation could not finish (the history was unavailable): nothing was sent, and the row keeps saying "may already
    /// be applied" (a crashed attempt's in-flight marker becomes <see cref="Unconfirmed"/>). Looked at again at <paramref name="retryAt"/>.
    /// </summary>
    public void DeferReconciliation(string error, DateTimeOffset now, DateTimeOffset retryAt, bool countsTowardBudget)
    {
        EnsurePending();
        if (AttemptInFlight)
        {
            Unconfirmed = true;
            MayBeAppliedSince ??= LastAttemptAt ?? CreatedAt;
            AttemptInFlight = false;
        }

        if (countsTowardBudget)
        {
            FailingSince ??= now;
        }

        LastError = Truncate("reconciliation deferred: " + error);
        NextAttemptAt = retryAt;
    }

    /// <summary>True once the first counted failure is older than <paramref name="giveUpAfter"/>.</summary>
    public bool IsOutOfBudget(DateTimeOffset now, TimeSpan giveUpAfter) => FailingSince is { } since && now - since >= giveUpAfter;

    /// <summary>The attempt may have been applied (timeout after sending, reset, 5xx). Checked against history at <paramref name="checkAt"/>.</summary>
    public void RecordAmbiguous(string error, DateTimeOffset now, DateTimeOffset checkAt)
    {
        EnsurePending();
        AttemptInFlight = false;
        Unconfirmed = true;
        MayBeAppliedSince ??= LastAttemptAt ?? now;
        FailingSince ??= now;
        LastError = Truncate("ambiguous: " + error);
        NextAttemptAt = checkAt;
    }

    /// <summary>Nothing can tell whether Flash applied it, and resending could double it: held for an operator.</summary>
    public void MarkInDoubt(string reason, DateTimeOffset now)
    {
        EnsurePending();
        AttemptInFlight = false;
        Unconfirmed = true;
        Status = CreditGrantStatus.InDoubt;
        LastError = Truncate(reason);
        LastAttemptAt ??= now;
    }

    /// <summary>Flash refused definitively (unknown user, validation): it did not apply it. Dead until an operator requeues.</summary>
    public void MarkRejected(string error, DateTimeOffset now)
    {
        EnsurePending();
        AttemptInFlight = false;
        Status = CreditGrantStatus.Dead;
        LastError = Truncate(error);
        LastAttemptAt ??= now;
    }

    /// <summary>A clawback that cannot be taken from the user's balance now: kept as visible debt, never dropped.</summary>
    public void MarkOwedDebt(string reason, DateTimeOffset now)
    {
        if (!IsClawback)
        {
            throw new DomainException("grant.not_clawback", "Only a clawback can be recorded as owed debt.");
        }

        EnsurePending();
        AttemptInFlight = false;
        Status = CreditGrantStatus.OwedDebt;
        LastError = Truncate(reason);
        LastAttemptAt ??= now;
    }

    /// <summary>An operator sends a dead grant, an in-doubt grant they checked was not applied, or owed debt, round again.</summary>
    public void Requeue(DateTimeOffset now)
    {
        if (Status is CreditGrantStatus.Pending or CreditGrantStatus.Delivered or CreditGrantStatus.Voided)
        {
            throw new DomainException("grant.not_requeueable", $"A {Status} grant cannot be requeued.");
        }

        Status = CreditGrantStatus.Pending;
        Attempts = 0;
        AttemptInFlight = false;
        Unconfirmed = false; // the operator has checked Flash: requeueing an in-doubt grant asserts it was not applied
        MayBeAppliedSince = null;
        FailingSince = null;
        NextAttemptAt = now;
        LastError = null;
    }

    /// <summary>An operator checked Flash and found an in-doubt grant applied.</summary>
    public void ConfirmByOperator(DateTimeOffset now)
    {
        if (Status != CreditGrantStatus.InDoubt)
        {
            throw new DomainException("grant.not_in_doubt", "Only an in-doubt grant can be confirmed by an operator.");
        }

        Status = CreditGrantStatus.Delivered;
        DeliveredVia = GrantConfirmation.Operator;
        DeliveredAt = now;
        Unconfirmed = false;
        LastError = null;
    }

    private void EnsurePending()
    {
        if (Status != CreditGrantStatus.Pending)
        {
            throw new DomainException("grant.not_pending", $"A {Status} grant cannot be attempted.");
        }
    }

    private static string Truncate(string error) => error.Length <= MaxErrorLength ? error : error[..MaxErrorLength];
}
