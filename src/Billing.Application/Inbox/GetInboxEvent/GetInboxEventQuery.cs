using Billing.Application.Abstractions.Inbox;
using Billing.Application.Abstractions.Messaging;
using Billing.Application.Abstractions.Persistence;
using Billing.Application.Common;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Billing.Application.Inbox.GetInboxEvent;

/// <summary>One stored event with its raw payload, emails and tokens masked (the console shows it to every operator).</summary>
public sealed record GetInboxEventQuery(long InboxEventId) : IQuery<InboxEventDetail>;

public sealed record InboxEventDetail(InboxEventSummary Event, string MaskedPayload);

internal sealed class GetInboxEventQueryHandler(IBillingDbContext db, IStoredPayloadMasker masker) : IRequestHandler<GetInboxEventQuery, InboxEventDetail>
{
    public async Task<InboxEventDetail> Handle(GetInboxEventQuery request, CancellationToken cancellationToken)
    {
        var stored = await db.InboxEvents.AsNoTracking().SingleOrDefaultAsync(e => e.Id == request.InboxEventId, cancellationToken)
            ?? throw new NotFoundException("inbox_event.not_found", "No stored event has this id.");
        return new InboxEventDetail(stored.ToSummary(), masker.Mask(stored.Payload));
    }
}
