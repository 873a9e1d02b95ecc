using Billing.Domain.Common;
using Billing.Domain.Purchases;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Billing.Infrastructure.Persistence.Configurations;

internal sealed class PurchaseConfiguration : IEntityTypeConfiguration<Purchase>
{
    public void Configure(EntityTypeBuilder<Purchase> builder)
    {
        builder.ToTable("purchases");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Id).HasConversion(id => id.Value, v => new PurchaseId(v)).ValueGeneratedNever();
        builder.Property(p => p.UserId).IsUserId().IsRequired();
        builder.Property(p => p.Provider).IsSnakeCaseEnum(16);
        builder.Property(p => p.ProductId).HasMaxLength(100).IsRequired();
        builder.Property(p => p.Credits).HasConversion(c => c.Value, v => Credits.Of(v));
        builder.ComplexProperty(p => p.Price, price =>
        {
            price.Property(m => m.MinorUnits).HasColumnName("price_minor");
            price.Property(m => m.Currency).HasColumnName("currency").HasMaxLength(3);
        });
        builder.Property(p => p.ProviderPurchaseId).HasMaxLength(255).IsRequired();
        builder.Property(p => p.ProviderPaymentId).HasMaxLength(255);
        builder.Property(p => p.Status).IsSnakeCaseEnum(32);
        builder.Property(p => p.Environment).HasMaxLength(16);
        builder.Property(p => p.CreditsClawedBack).HasConversion(c => c.Value, v => Credits.Of(v));
        builder.HasIndex(p => new { p.Provider, p.ProviderPurchaseId }).IsUnique().HasDatabaseName("ux_purchases_provider_purchase");
        builder.HasIndex(p => p.UserId).HasDatabaseName("ix_purchases_user_id");
        builder.Property<uint>("Version").IsRowVersion();
        builder.Ignore(p => p.DomainEvents);
        builder.Ignore(p => p.GrantKey);
    }
}
