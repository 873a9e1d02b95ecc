using Billing.Domain.Common;
using Billing.Domain.Grants;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Billing.Infrastructure.Persistence.Configurations;

internal sealed class CreditGrantConfiguration : IEntityTypeConfiguration<CreditGrant>
{
    public const string TraceParentProperty = "TraceParent";

    public void Configure(EntityTypeBuilder<CreditGrant> builder)
    {
        builder.ToTable("credit_grants");
        builder.HasKey(g => g.Id);
        builder.Property(g => g.Id).HasConversion(id => id.Value, v => new CreditGrantId(v)).ValueGeneratedNever();
        builder.Property(g => g.GrantKey).HasConversion(k => k.Value, v => GrantKey.Parse(v)).HasMaxLength(GrantKey.MaxLength).IsRequired();
        builder.HasIndex(g => g.GrantKey).IsUnique().HasDatabaseName("ux_credit_grants_grant_key");
        builder.Property(g => g.UserId).IsUserId().IsRequired();
        builder.Property(g => g.TransactionType).HasConversion(t => t.ToWire(), v => TransactionTypeNames.FromWire(v)).HasMaxLength(32);
        builder.Property(g => g.Description).IsRequired();
        builder.Property(g => g.SourceEvent).HasMaxLength(100).IsRequired();
        builder.Property(g => g.Status).IsSnakeCaseEnum(16);
        builder.HasIndex(g => g.UserId).HasDatabaseName("ix_credit_grants_user_id");
        builder.Property<uint>("Version").IsRowVersion();

        // Not the domain's concern: the trace of the processing that owed the grant, continued by its delivery.
        builder.Property<string?>(TraceParentProperty).HasMaxLength(55);
        builder.Property(g => g.DeliveredVia).HasConversion(v => v.HasValue ? ValueConversions.ToSnakeCase(v.Value.ToString()) : null, v => v == null ? null : Enum.Parse<GrantConfirmation>(v, true)).HasMaxLength(16);
        builder.Property(g => g.Environment).HasMaxLength(16);
        builder.Property(g => g.NettedDebtGrantId).HasConversion(id => id.HasValue ? id.Value.Value : (Guid?)null, v => v.HasValue ? new CreditGrantId(v.Value) : null);
        builder.Ignore(g => g.IsClawback);
        builder.Ignore(g => g.MayAlreadyBeApplied);
        builder.Ignore(g => g.AmountToSend);
        builder.Ignore(g => g.OutstandingDebt);
        builder.Ignore(g => g.CreditsDebited);
        builder.Ignore(g => g.CanBeVoided);
    }
}
