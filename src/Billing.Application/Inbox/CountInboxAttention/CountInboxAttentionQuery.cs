using Billing.Application.Abstractions.Messaging;
using Billing.Application.Abstractions.Persistence;
using Billing.Application.Inbox.ListInboxEvents;
using MediatR;

namespace Billing.Application.Inbox.CountInboxAttention;

/// <summary>How many inbox events are failed or stale (the details of /health/ready: they need a person, not a restart).</summary>
public sealed record CountInboxAttentionQuery : IQuery<InboxAttentionCounts>;

internal sealed class CountInboxAttentionQueryHandler(IBillingDbContext db, TimeProvider clock) : IRequestHandler<CountInboxAttentionQuery, InboxAttentionCounts>
{
    public Task<InboxAttentionCounts> Handle(CountInboxAttentionQuery request, CancellationToken cancellationToken) =>
        db.CountInboxAttentionAsync(clock.GetUtcNow(), cancellationToken);
}
