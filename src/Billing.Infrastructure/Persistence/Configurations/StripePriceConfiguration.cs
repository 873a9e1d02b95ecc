using Billing.Application.Stripe;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Billing.Infrastructure.Persistence.Configurations;

internal sealed class StripePriceConfiguration : IEntityTypeConfiguration<StripePrice>
{
    public void Configure(EntityTypeBuilder<StripePrice> builder)
    {
        builder.ToTable("stripe_prices");
        builder.HasKey(p => p.PriceId);
        builder.Property(p => p.PriceId).HasMaxLength(255);
        builder.Property(p => p.ProductId).HasMaxLength(100).IsRequired();
    }
}
