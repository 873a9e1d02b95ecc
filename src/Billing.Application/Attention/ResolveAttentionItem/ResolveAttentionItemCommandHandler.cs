using Billing.Application.Abstractions.Persistence;
using Billing.Application.Audit;
using Billing.Application.Common;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Billing.Application.Attention.ResolveAttentionItem;

internal sealed class ResolveAttentionItemCommandHandler(IBillingDbContext db, TimeProvider clock) : IRequestHandler<ResolveAttentionItemCommand, AttentionItemResponse>
{
    public async Task<AttentionItemResponse> Handle(ResolveAttentionItemCommand request, CancellationToken cancellationToken)
    {
        // Locked: of two operators resolving at once, the second waits, then sees it resolved (409) instead of overwriting.
        var item = await db.AttentionItems.FromSqlInterpolated($"SELECT * FROM attention_items WHERE id = {request.Id} FOR UPDATE")
                .SingleOrDefaultAsync(cancellationToken)
            ?? throw new NotFoundException("attention_item.not_found", "No attention item has this id.");
        var now = clock.GetUtcNow();
        var before = AttentionItemResponse.From(item);
        item.Resolve(request.By.Actor, request.By.Reason, now);
        var after = AttentionItemResponse.From(item);
        db.Audit(request.By, "attention.resolve", "attention_item", item.Id.ToString("D"), before, after, now);
        return after;
    }
}
