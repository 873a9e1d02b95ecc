using Billing.Domain.Customers;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Billing.Infrastructure.Persistence.Configurations;

internal sealed class CustomerConfiguration : IEntityTypeConfiguration<Customer>
{
    public void Configure(EntityTypeBuilder<Customer> builder)
    {
        builder.ToTable("customers");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Id).HasConversion(id => id.Value, v => new CustomerId(v)).ValueGeneratedNever();
        builder.Property(c => c.UserId).IsUserId().IsRequired();
        builder.HasIndex(c => c.UserId).IsUnique().HasDatabaseName("ux_customers_user_id");
        builder.Property(c => c.Email).HasMaxLength(320);
        builder.Property(c => c.StripeCustomerId).HasMaxLength(255);
        builder.HasIndex(c => c.StripeCustomerId).IsUnique().HasDatabaseName("ux_customers_stripe_customer_id");
        builder.Property<uint>("Version").IsRowVersion();
        builder.Ignore(c => c.DomainEvents);
    }
}
