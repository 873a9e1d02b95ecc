using Billing.Domain.Common;

namespace Billing.Domain.Grants;

public readonly record struct CreditGrantId(Guid Value)
{
    public static CreditGrantId New() => new(Guid.CreateVersion7());
}

/// <summary>
/// pending: waiting for (another) delivery attempt. delivered: Flash applied it.
/// in_doubt: an attempt may have reached Flash and could not be confirmed; held for an operator instead of being resent blindly.
/// dead: refused definitively or out of attempts; an operator can requeue it.
/// owed_debt: a clawback Flash cannot take (its admin grant refuses amounts ≤ 0 and no debit route is configured); kept as visible debt.
/// </summary>
public enum CreditGrantStatus
{
    Pending,
    Delivered,
    InDoubt,
    Dead,
    OwedDebt,
}

/// <summary>
/// The outbox row for one grant: written in the same transaction as the aggregate change that owes it,
/// unique on its grant key, then delivered to Flash by the dispatcher. Its status is the delivery state machine.
/// </summary>
public sealed class CreditGrant
{
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

    public DateTimeOffset NextAttemptAt { get; private set; }

    public DateTimeOffset? LastAttemptAt { get; private set; }

    public string? LastError { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset? DeliveredAt { get; private set; }

    public int? FlashBalanceAfter { get; private set; }

    public bool IsClawback => Amount < 0;

    public static CreditGrant FromRequest(CreditGrantRequest request, string sourceEvent, DateTimeOffset now)
    {
        if (request.Amount == 0)
        {
            throw new InvalidDomainValueException("grant.zero", "A grant of zero credits is not a grant.");
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
        };
    }

    public void MarkDelivered(int? balanceAfter, DateTimeOffset now)
    {
        EnsureOpen();
        Attempts++;
        Status = CreditGrantStatus.Delivered;
        LastAttemptAt = now;
        DeliveredAt = now;
        FlashBalanceAfter = balanceAfter;
        LastError = null;
    }

    /// <summary>Found in Flash's history after an ambiguous attempt: it was applied, so it is delivered without resending.</summary>
    public void ConfirmDeliveredFromHistory(DateTimeOffset now)
    {
        EnsureOpen();
        Status = CreditGrantStatus.Delivered;
        DeliveredAt = now;
        LastError = null;
    }

    /// <summary>A transient failure where Flash certainly did not apply the grant: try again after <paramref name="retryAt"/>.</summary>
    public void RecordRetryableFailure(string error, DateTimeOffset now, DateTimeOffset retryAt, int maxAttempts)
    {
        EnsureOpen();
        Attempts++;
        LastAttemptAt = now;
        LastError = Truncate(error);
        if (Attempts >= maxAttempts)
        {
            Status = CreditGrantStatus.Dead;
            return;
        }

        Status = CreditGrantStatus.Pending;
        NextAttemptAt = retryAt;
    }

    /// <summary>An attempt may have been applied and nothing can confirm it: held for an operator, never resent automatically.</summary>
    public void MarkInDoubt(string error, DateTimeOffset now)
    {
        EnsureOpen();
        Attempts++;
        LastAttemptAt = now;
        LastError = Truncate(error);
        Status = CreditGrantStatus.InDoubt;
    }

    /// <summary>An ambiguous attempt whose outcome will be checked against Flash's history before anything is resent.</summary>
    public void RecordAmbiguousAttempt(string error, DateTimeOffset now, DateTimeOffset checkAt)
    {
        EnsureOpen();
        Attempts++;
        LastAttemptAt = now;
        LastError = Truncate("ambiguous: " + error);
        Status = CreditGrantStatus.Pending;
        NextAttemptAt = checkAt;
    }

    public void MarkDead(string error, DateTimeOffset now)
    {
        EnsureOpen();
        Attempts++;
        LastAttemptAt = now;
        LastError = Truncate(error);
        Status = CreditGrantStatus.Dead;
    }

    public void MarkOwedDebt(string reason, DateTimeOffset now)
    {
        if (!IsClawback)
        {
            throw new DomainException("grant.not_clawback", "Only a clawback can be recorded as owed debt.");
        }

        EnsureOpen();
        LastAttemptAt = now;
        LastError = Truncate(reason);
        Status = CreditGrantStatus.OwedDebt;
    }

    /// <summary>An operator sends a dead or in-doubt grant (or owed debt) round again, with a fresh attempt budget.</summary>
    public void Requeue(DateTimeOffset now)
    {
        if (Status is CreditGrantStatus.Pending or CreditGrantStatus.Delivered)
        {
            throw new DomainException("grant.not_requeueable", $"A {Status} grant cannot be requeued.");
        }

        Status = CreditGrantStatus.Pending;
        Attempts = 0;
        NextAttemptAt = now;
    }

    /// <summary>A pending row that was already checked once after an ambiguous attempt still carries the marker.</summary>
    public bool HadAmbiguousAttempt => LastError?.StartsWith("ambiguous: ", StringComparison.Ordinal) == true;

    private void EnsureOpen()
    {
        if (Status != CreditGrantStatus.Pending)
        {
            throw new DomainException("grant.not_pending", $"A {Status} grant cannot be attempted.");
        }
    }

    private static string Truncate(string error) => error.Length <= 1000 ? error : error[..1000];
}
