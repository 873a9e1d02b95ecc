using Billing.Domain.Common;

namespace Billing.Domain.Customers;

public readonly record struct CustomerId(Guid Value)
{
    public static CustomerId New() => new(Guid.CreateVersion7());
}

/// <summary>The billing customer of one Flash user; holds the Stripe customer id once one exists.</summary>
public sealed class Customer : AggregateRoot
{
    private Customer()
    {
    }

    public CustomerId Id { get; private set; }

    public UserId UserId { get; private set; }

    public string? Email { get; private set; }

    public string? StripeCustomerId { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>While set and in the future, one checkout is asking Stripe for this user's customer; the others wait for it.</summary>
    public DateTimeOffset? StripeCustomerClaimedUntil { get; private set; }

    public static Customer Register(UserId userId, string? email, DateTimeOffset now)
    {
        var customer = new Customer
        {
            Id = CustomerId.New(),
            UserId = userId,
            Email = string.IsNullOrWhiteSpace(email) ? null : email.Trim(),
            CreatedAt = now,
        };
        customer.Raise(new CustomerRegistered(customer.Id, userId, now));
        return customer;
    }

    /// <summary>Links the Stripe customer. Linking the same id again is a no-op; a different one is refused (one Stripe customer per user).</summary>
    public void AttachStripeCustomer(string stripeCustomerId, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(stripeCustomerId))
        {
            throw new InvalidDomainValueException("customer.stripe_id_missing", "A Stripe customer id is required.");
        }

        if (StripeCustomerId == stripeCustomerId)
        {
            return;
        }

        if (StripeCustomerId is not null)
        {
            throw new DomainException("customer.stripe_id_conflict", "This user already has a different Stripe customer.");
        }

        StripeCustomerId = stripeCustomerId;
        StripeCustomerClaimedUntil = null;
        Raise(new StripeCustomerAttached(Id, UserId, stripeCustomerId, now));
    }

    /// <summary>
    /// Claims the creation of the Stripe customer for <paramref name="lease"/>, so that one checkout asks Stripe while the
    /// others wait, with no database lock held during the call. False when a customer is linked or another claim is live.
    /// A claim that outlives its lease (a crash) is taken over; Stripe's idempotency key then returns the same customer.
    /// </summary>
    public bool TryClaimStripeCustomerCreation(DateTimeOffset now, TimeSpan lease)
    {
        if (StripeCustomerId is not null || StripeCustomerClaimedUntil > now)
        {
            return false;
        }

        StripeCustomerClaimedUntil = now + lease;
        return true;
    }

    /// <summary>The claimed creation failed: let the next checkout try at once instead of after the lease.</summary>
    public void ReleaseStripeCustomerClaim() => StripeCustomerClaimedUntil = null;
}

public sealed record CustomerRegistered(CustomerId CustomerId, UserId UserId, DateTimeOffset OccurredAt) : IDomainEvent;

public sealed record StripeCustomerAttached(CustomerId CustomerId, UserId UserId, string StripeCustomerId, DateTimeOffset OccurredAt) : IDomainEvent;
