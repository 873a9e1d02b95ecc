using Billing.Domain.Common;

namespace Billing.Domain.Catalog;

public enum ProductKind
{
    Pack,
    Subscription,
}

/// <summary>Something a user can buy. Ids are the App Store product ids, shared by Stripe checkout.</summary>
public abstract record Product(string Id, string Name, Credits Credits, Money Price)
{
    public abstract ProductKind Kind { get; }
}

/// <summary>A one-time credit pack.</summary>
public sealed record CreditPack(string Id, string Name, Credits Credits, Money Price) : Product(Id, Name, Credits, Price)
{
    public override ProductKind Kind => ProductKind.Pack;
}

public enum TierName
{
    Explorer,
    Creator,
    Studio,
}

/// <summary>A monthly subscription tier; <see cref="Product.Credits"/> is the grant for each paid period.</summary>
public sealed record SubscriptionTier(string Id, string Name, TierName Tier, Credits Credits, Money Price) : Product(Id, Name, Credits, Price)
{
    public override ProductKind Kind => ProductKind.Subscription;

    public Credits CreditsPerPeriod => Credits;
}
