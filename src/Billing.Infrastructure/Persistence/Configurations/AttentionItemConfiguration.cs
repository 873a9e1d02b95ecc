using Billing.Application.Abstractions.Attention;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Billing.Infrastructure.Persistence.Configurations;

internal sealed class AttentionItemConfiguration : IEntityTypeConfiguration<AttentionItem>
{
    public void Configure(EntityTypeBuilder<AttentionItem> builder)
    {
        builder.ToTable("attention_items");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Id).ValueGeneratedNever();
        builder.Property(a => a.Kind).HasMaxLength(64).IsRequired();
        builder.Property(a => a.ObjectKey).HasMaxLength(255).IsRequired();
        builder.Property(a => a.UserId).HasMaxLength(255);
        builder.Property(a => a.Reason).IsRequired();
        builder.Property(a => a.ResolvedBy).HasMaxLength(400);
        builder.Property(a => a.ResolutionReason).HasMaxLength(1000);
        builder.Ignore(a => a.IsResolved);
        builder.HasIndex(a => new { a.Kind, a.ObjectKey }).IsUnique().HasDatabaseName("ux_attention_items_kind_object");
    }
}
