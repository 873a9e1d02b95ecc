using Billing.Domain.ApiKeys;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Billing.Infrastructure.Persistence.Configurations;

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.ToTable("api_keys");
        builder.HasKey(k => k.Id);
        builder.Property(k => k.Id).HasConversion(id => id.Value, v => ApiKeyId.From(v)).HasMaxLength(ApiKeyId.MaxLength).ValueGeneratedNever();
        builder.Property(k => k.OwnerId).IsUserId().IsRequired();
        builder.Property(k => k.Name).HasMaxLength(ApiKey.MaxNameLength).IsRequired();
        builder.Property(k => k.Mode).HasConversion(m => m.ToWire(), v => v == "live" ? ApiKeyMode.Live : ApiKeyMode.Test).HasMaxLength(8);
        builder.Property(k => k.KeyHash).IsRequired();
        builder.Property(k => k.LastFour).HasMaxLength(4).IsRequired();
        builder.Property(k => k.ReplacedBy).HasConversion(new ValueConverter<ApiKeyId, string>(id => id.Value, v => ApiKeyId.From(v))).HasMaxLength(ApiKeyId.MaxLength);
        builder.HasIndex(k => k.KeyHash).IsUnique().HasDatabaseName("ux_api_keys_key_hash");
        builder.HasIndex(k => k.OwnerId).HasDatabaseName("ix_api_keys_owner");
        builder.Ignore(k => k.Display);
        builder.Ignore(k => k.DomainEvents);
    }
}
