using Billing.Application.Abstractions.ApiKeys;
using Billing.Application.Abstractions.Persistence;
using Billing.Domain.ApiKeys;
using Billing.Domain.Common;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Billing.Application.ApiKeys.RollApiKey;

internal sealed class RollApiKeyCommandHandler(IBillingDbContext db, IApiKeyOwnerLock ownerLock, TimeProvider clock)
    : IRequestHandler<RollApiKeyCommand, CreatedApiKeyResponse>
{
    public async Task<CreatedApiKeyResponse> Handle(RollApiKeyCommand request, CancellationToken cancellationToken)
    {
        var owner = UserId.From(request.UserId);
        if (!ApiKeyId.TryFrom(request.KeyId, out var id))
        {
            throw ApiKeyLookup.NotFound();
        }

        await ownerLock.LockAsync(owner, cancellationToken);
        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == id && k.OwnerId == owner, cancellationToken) ?? throw ApiKeyLookup.NotFound();
        var now = clock.GetUtcNow();
        // No limit check: only a key that holds a place can be rolled, and its successor takes that place.
        var (successor, secret) = key.Roll(TimeSpan.FromSeconds(request.ExpireOldInSeconds!.Value), now);
        db.ApiKeys.Add(successor);
        return CreatedApiKeyResponse.From(successor, secret);
    }
}
