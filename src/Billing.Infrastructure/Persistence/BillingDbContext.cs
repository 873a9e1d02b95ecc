using Billing.Application.Abstractions.Persistence;
using Billing.Application.Inbox;
using Billing.Domain.Common;
using Billing.Domain.Customers;
using Billing.Domain.Grants;
using Billing.Domain.Purchases;
using Billing.Domain.Subscriptions;
using Billing.Infrastructure.Persistence.Configurations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Billing.Infrastructure.Persistence;

internal sealed partial class BillingDbContext : DbContext, IBillingDbContext
{
    private readonly TimeProvider _clock;
    private readonly ILogger<BillingDbContext> _logger;

    public BillingDbContext(DbContextOptions<BillingDbContext> options, TimeProvider clock, ILogger<BillingDbContext>? logger = null)
        : base(options)
    {
        _clock = clock;
        _logger = logger ?? NullLogger<BillingDbContext>.Instance;
    }

    public DbSet<Customer> Customers => Set<Customer>();

    public DbSet<Purchase> Purchases => Set<Purchase>();

    public DbSet<Subscription> Subscriptions => Set<Subscription>();

    public DbSet<CreditGrant> CreditGrants => Set<CreditGrant>();

    public DbSet<InboxEvent> InboxEvents => Set<InboxEvent>();

    /// <summary>
    /// Outbox timing (docs/decisions/0002): credit-owing domain events become outbox rows here, inside the caller's
    /// transaction, so the aggregate change and the grant it owes commit together. Nothing calls out from here.
    /// </summary>
    public override async Task<int> SaveChangesAsync(CancellationToken cancellationToken = default)
    {
        WriteOutboxRows();
        return await base.SaveChangesAsync(cancellationToken);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        WriteOutboxRows();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(BillingDbContext).Assembly);
        UseSnakeCaseColumns(modelBuilder);
    }

    private void WriteOutboxRows()
    {
        var aggregates = ChangeTracker.Entries<AggregateRoot>().Select(e => e.Entity).Where(a => a.DomainEvents.Count > 0).ToList();
        var now = _clock.GetUtcNow();
        foreach (var aggregate in aggregates)
        {
            foreach (var domainEvent in aggregate.DomainEvents)
            {
                if (domainEvent is ICreditsOwedEvent owed)
                {
                    CreditGrants.Add(CreditGrant.FromRequest(owed.Grant, domainEvent.GetType().Name, now));
                    _logger.LogInformation(
                        "{DomainEvent}: grant {GrantKey} of {Amount} credits ({TransactionType}) queued for user {UserId}",
                        domainEvent.GetType().Name,
                        owed.Grant.Key.Value,
                        owed.Grant.Amount,
                        owed.Grant.TransactionType.ToWire(),
                        owed.Grant.UserId.Value);
                }
                else
                {
                    _logger.LogInformation("{DomainEvent} on {Aggregate}", domainEvent.GetType().Name, aggregate.GetType().Name);
                }
            }

            aggregate.ClearDomainEvents();
        }
    }

    private static void UseSnakeCaseColumns(ModelBuilder modelBuilder)
    {
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                // xmin is PostgreSQL's row version, mapped by Npgsql for IsRowVersion(); leave its name alone.
                if (property.Name != "Version" && property.GetColumnName() == property.Name)
                {
                    property.SetColumnName(ValueConversions.ToSnakeCase(property.Name));
                }
            }

            foreach (var complex in entity.GetComplexProperties())
            {
                foreach (var property in complex.ComplexType.GetProperties())
                {
                    if (property.GetColumnName() == property.Name)
                    {
                        property.SetColumnName(ValueConversions.ToSnakeCase(property.Name));
                    }
                }
            }
        }
    }
}
