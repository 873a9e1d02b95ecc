namespace Billing.Domain.Common;

/// <summary>Something that happened to an aggregate. Plain data; no framework type.</summary>
public interface IDomainEvent
{
    DateTimeOffset OccurredAt { get; }
}

/// <summary>An event that means "the user is owed (or owes back) credits". The grant machinery turns it into an outbox row.</summary>
public interface ICreditsOwedEvent : IDomainEvent
{
    CreditGrantRequest Grant { get; }
}

/// <summary>What a grant needs: who, how many (negative for a clawback), why, and the key that makes it happen once.</summary>
/// <remarks><c>Environment</c>: the Apple environment of the data that owes it ("Production" / "Sandbox"); null for Stripe.</remarks>
public sealed record CreditGrantRequest(UserId UserId, int Amount, TransactionType TransactionType, GrantKey Key, string Description, string? Environment = null);
