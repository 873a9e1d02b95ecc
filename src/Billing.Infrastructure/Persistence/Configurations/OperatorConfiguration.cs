using Billing.Domain.Operators;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Billing.Infrastructure.Persistence.Configurations;

internal sealed class OperatorConfiguration : IEntityTypeConfiguration<Operator>
{
    public void Configure(EntityTypeBuilder<Operator> builder)
    {
        builder.ToTable("operators");
        builder.HasKey(o => o.Id);
        builder.Property(o => o.Id).HasConversion(id => id.Value, v => new OperatorId(v)).ValueGeneratedNever();
        builder.Property(o => o.Email).HasMaxLength(Operator.MaxEmailLength).IsRequired();
        builder.HasIndex(o => o.Email).IsUnique().HasDatabaseName("ux_operators_email");
        builder.Property(o => o.Role).IsSnakeCaseEnum(16);
        builder.Property(o => o.PasswordHash).IsRequired();
    }
}
