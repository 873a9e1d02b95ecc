using Billing.Application.Inbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Billing.Infrastructure.Persistence.Configurations;

internal sealed class InboxEventConfiguration : IEntityTypeConfiguration<InboxEvent>
{
    public void Configure(EntityTypeBuilder<InboxEvent> builder)
    {
        builder.ToTable("inbox_events");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).UseIdentityByDefaultColumn();
        builder.Property(e => e.Provider).HasMaxLength(16).IsRequired();
        builder.Property(e => e.EventId).HasMaxLength(255).IsRequired();
        builder.Property(e => e.EventType).HasMaxLength(100).IsRequired();
        builder.Property(e => e.Payload).IsRequired();
        builder.Property(e => e.Status).IsSnakeCaseEnum(16);
        builder.HasIndex(e => new { e.Provider, e.EventId }).IsUnique().HasDatabaseName("ux_inbox_events_provider_event");
        builder.Ignore(e => e.RetryRoundStartedAt);
        builder.Property<uint>("Version").IsRowVersion();

        // Written by the intake's INSERT and read by the worker's due query; not the use cases' concern.
        builder.Property<string?>(CreditGrantConfiguration.TraceParentProperty).HasMaxLength(55);
    }
}
