using Billing.Domain.Common;
using Billing.Domain.Subscriptions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Billing.Infrastructure.Persistence.Configurations;

internal sealed class SubscriptionConfiguration : IEntityTypeConfiguration<Subscription>
{
    public void Configure(EntityTypeBuilder<Subscription> builder)
    {
        builder.ToTable("subscriptions");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).HasConversion(id => id.Value, v => new SubscriptionId(v)).ValueGeneratedNever();
        builder.Property(s => s.UserId).IsUserId().IsRequired();
        builder.Property(s => s.Source).IsSnakeCaseEnum(16);
        builder.Property(s => s.Tier).IsSnakeCaseEnum(16);
        builder.Property(s => s.ProviderSubscriptionId).HasMaxLength(255).IsRequired();
        builder.Property(s => s.Status).IsSnakeCaseEnum(16);
        builder.Property(s => s.Environment).HasMaxLength(16);
        builder.Property(s => s.CreditsPerPeriod).HasConversion(c => c.Value, v => Credits.Of(v));
        builder.HasIndex(s => new { s.Source, s.ProviderSubscriptionId }).IsUnique().HasDatabaseName("ux_subscriptions_provider");
        builder.HasIndex(s => s.UserId).HasDatabaseName("ix_subscriptions_user_id");
        builder.Property<uint>("Version").IsRowVersion();
        builder.Ignore(s => s.DomainEvents);

        builder.HasMany(s => s.PaidPeriods).WithOne().HasForeignKey("SubscriptionId").OnDelete(DeleteBehavior.Cascade);
        builder.Navigation(s => s.PaidPeriods).UsePropertyAccessMode(PropertyAccessMode.Field).AutoInclude();
    }
}

internal sealed class SubscriptionPeriodConfiguration : IEntityTypeConfiguration<SubscriptionPeriod>
{
    public void Configure(EntityTypeBuilder<SubscriptionPeriod> builder)
    {
        builder.ToTable("subscription_periods");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Id).UseIdentityByDefaultColumn();
        builder.Property<SubscriptionId>("SubscriptionId").HasConversion(id => id.Value, v => new SubscriptionId(v));
        builder.Property(p => p.GrantKey).HasMaxLength(GrantKey.MaxLength).IsRequired();
        builder.Property(p => p.PaidBy).HasConversion(v => v.HasValue ? v.Value.Value : null, v => v == null ? null : UserId.From(v)).HasMaxLength(UserId.MaxLength);
        builder.HasIndex("SubscriptionId", nameof(SubscriptionPeriod.PeriodStart)).IsUnique().HasDatabaseName("ux_subscription_periods_period");
        builder.HasIndex(p => p.GrantKey).IsUnique().HasDatabaseName("ux_subscription_periods_grant_key");
    }
}
