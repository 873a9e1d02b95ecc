using Billing.Application.Abstractions.Persistence;
using Billing.Domain.ApiKeys;
using Billing.Domain.Common;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Billing.Application.ApiKeys.RevokeApiKey;

internal sealed class RevokeApiKeyCommandHandler(IBillingDbContext db, TimeProvider clock) : IRequestHandler<RevokeApiKeyCommand, bool>
{
    public async Task<bool> Handle(RevokeApiKeyCommand request, CancellationToken cancellationToken)
    {
        var owner = UserId.From(request.UserId);
        if (!ApiKeyId.TryFrom(request.KeyId, out var id))
        {
            throw ApiKeyLookup.NotFound();
        }

        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == id && k.OwnerId == owner, cancellationToken) ?? throw ApiKeyLookup.NotFound();
        // The commit fires the notification that drops the key from every instance's cache.
        key.Revoke(clock.GetUtcNow());
        return true;
    }
}
