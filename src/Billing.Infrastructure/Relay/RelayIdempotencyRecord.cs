using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Billing.Infrastructure.Relay;

/// <summary>
/// A row of relay_idempotency, mapped so the model describes the whole schema; <see cref="PostgresRelayIdempotencyStore"/>
/// reads and writes it with single atomic statements instead.
/// </summary>
internal sealed class RelayIdempotencyRecord
{
    public string OwnerId { get; set; } = "";

    public string Mode { get; set; } = "";

    public string IdempotencyKey { get; set; } = "";

    public byte[] RequestHash { get; set; } = [];

    public string State { get; set; } = "";

    public int? ResponseStatus { get; set; }

    public string? ResponseType { get; set; }

    public byte[]? ResponseBody { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }
}

internal sealed class RelayIdempotencyRecordConfiguration : IEntityTypeConfiguration<RelayIdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<RelayIdempotencyRecord> builder)
    {
        builder.ToTable("relay_idempotency");
        builder.HasKey(r => new { r.OwnerId, r.Mode, r.IdempotencyKey });
        builder.Property(r => r.OwnerId).HasMaxLength(255);
        builder.Property(r => r.Mode).HasMaxLength(8);
        builder.Property(r => r.IdempotencyKey).HasMaxLength(255);
        builder.Property(r => r.State).HasMaxLength(16);
        builder.Property(r => r.ResponseType).HasMaxLength(100);
        builder.HasIndex(r => r.ExpiresAt).HasDatabaseName("ix_relay_idempotency_expires_at");
    }
}
