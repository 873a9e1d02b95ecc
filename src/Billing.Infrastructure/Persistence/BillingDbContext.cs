using System.Diagnostics;
using Billing.Application.Abstractions.Persistence;
using Billing.Application.Inbox;
using Billing.Domain.ApiKeys;
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

    public DbSet<Billing.Application.Stripe.StripePrice> StripePrices => Set<Billing.Application.Stripe.StripePrice>();

    public DbSet<Billing.Application.Abstractions.Attention.AttentionItem> AttentionItems => Set<Billing.Application.Abstractions.Attention.AttentionItem>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    /// <summary>
    /// Outbox timing (docs/decisions/0002): credit-owing domain events become outbox rows here, inside the caller's
    /// transaction, so the aggregate change and the grant it owes commit together. Nothing calls out from here.
    /// </summary>
    public override async Task<int> SaveChangesAsync(CancellationToken cancellationToken = default)
    {
        foreach (var grant in WriteOutboxRows())
        {
            await NetAgainstOwedDebtAsync(grant, cancellationToken);
        }

        return await base.SaveChangesAsync(cancellationToken);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        foreach (var grant in WriteOutboxRows())
        {
            NetAgainstOwedDebtAsync(grant, CancellationToken.None).GetAwaiter().GetResult();
        }

        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(BillingDbContext).Assembly);
        UseSnakeCaseColumns(modelBuilder);
    }

    /// <summary>
    /// Owed debt is collected from the user's next positive grant (docs/decisions/0012): the oldest debt row with something
    /// outstanding is netted against it, both rows change in this transaction, and the debt row's row version makes two
    /// grants netting the same debt at once conflict (the unit of work re-runs the loser on fresh state).
    /// </summary>
    private async Task NetAgainstOwedDebtAsync(CreditGrant grant, CancellationToken cancellationToken)
    {
        var debt = await CreditGrants
            .Where(g => g.UserId == grant.UserId && g.Status == CreditGrantStatus.OwedDebt && g.Amount + g.DebtCollected < 0)
            .OrderBy(g => g.CreatedAt)
            .FirstOrDefaultAsync(cancellationToken);
        if (debt is null)
        {
            return;
        }

        var netted = grant.NetAgainst(debt, _clock.GetUtcNow());
        _logger.LogInformation(
            "Grant {GrantKey}: {Netted} of its {Amount} credits pay owed debt {DebtKey} ({Outstanding} still owed)",
            grant.GrantKey.Value,
            netted,
            grant.Amount,
            debt.GrantKey.Value,
            debt.OutstandingDebt);
    }

    /// <summary>Adds the outbox rows the tracked aggregates owe; returns the positive ones (candidates for netting debt).</summary>
    private List<CreditGrant> WriteOutboxRows()
    {
        var positive = new List<CreditGrant>();
        var aggregates = ChangeTracker.Entries<AggregateRoot>().Select(e => e.Entity).Where(a => a.DomainEvents.Count > 0).ToList();
        var now = _clock.GetUtcNow();
        foreach (var aggregate in aggregates)
        {
            foreach (var domainEvent in aggregate.DomainEvents)
            {
                if (domainEvent is ICreditsOwedEvent owed)
                {
                    var grant = CreditGrant.FromRequest(owed.Grant, domainEvent.GetType().Name, now);
                    CreditGrants.Add(grant).Property<string?>(CreditGrantConfiguration.TraceParentProperty).CurrentValue = Activity.Current?.Id;
                    if (!grant.IsClawback)
                    {
                        positive.Add(grant);
                    }

                    LogGrantQueued(domainEvent.GetType().Name, owed.Grant.Key.Value, owed.Grant.Amount, owed.Grant.TransactionType.ToWire(), owed.Grant.UserId.Value);
                }
                else
                {
                    LogDomainEvent(domainEvent.GetType().Name, aggregate.GetType().Name);
                }
            }

            aggregate.ClearDomainEvents();
        }

        return positive;
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

    [LoggerMessage(Level = LogLevel.Information, Message = "{DomainEvent}: grant {GrantKey} of {Amount} credits ({TransactionType}) queued for user {UserId}")]
    private partial void LogGrantQueued(string domainEvent, string grantKey, int amount, string transactionType, string userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{DomainEvent} on {Aggregate}")]
    private partial void LogDomainEvent(string domainEvent, string aggregate);
}
