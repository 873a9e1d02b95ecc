using Billing.Application.Inbox;
using Billing.Domain.ApiKeys;
using Billing.Domain.Customers;
using Billing.Domain.Grants;
using Billing.Domain.Purchases;
using Billing.Domain.Subscriptions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Billing.Application.Abstractions.Persistence;

/// <summary>
/// The persistence port. Handlers use the aggregates' sets directly (no repository that only wraps the context);
/// saving turns the aggregates' credit-owing domain events into outbox rows in the same transaction.
/// </summary>
public partial interface IBillingDbContext
{
    DbSet<Customer> Customers { get; }

    DbSet<Purchase> Purchases { get; }

    DbSet<Subscription> Subscriptions { get; }

    DbSet<CreditGrant> CreditGrants { get; }

    DbSet<InboxEvent> InboxEvents { get; }

    DbSet<Attention.AttentionItem> AttentionItems { get; }

    DbSet<Billing.Application.Stripe.StripePrice> StripePrices { get; }
    DbSet<ApiKey> ApiKeys { get; }

    DatabaseFacade Database { get; }

    Microsoft.EntityFrameworkCore.ChangeTracking.ChangeTracker ChangeTracker { get; }

    Task<int> SaveChangesAsync(CancellationToken cancellationToken = default);
}
