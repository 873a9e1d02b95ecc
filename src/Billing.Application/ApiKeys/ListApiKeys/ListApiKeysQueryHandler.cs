using Billing.Application.Abstractions.Persistence;
using Billing.Domain.ApiKeys;
using Billing.Domain.Common;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Billing.Application.ApiKeys.ListApiKeys;

internal sealed class ListApiKeysQueryHandler(IBillingDbContext db, TimeProvider clock) : IRequestHandler<ListApiKeysQuery, ApiKeyListResponse>
{
    private const int MaxKeys = 500;

    public async Task<ApiKeyListResponse> Handle(ListApiKeysQuery request, CancellationToken cancellationToken)
    {
        var owner = UserId.From(request.UserId);
        var now = clock.GetUtcNow();
        var keys = await db.ApiKeys.AsNoTracking()
            .Where(k => k.OwnerId == owner)
            .OrderByDescending(k => k.CreatedAt)
            .Take(MaxKeys)
            .ToListAsync(cancellationToken);
        return new ApiKeyListResponse([.. keys.Select(k => new ApiKeyView(
            k.Id.Value,
            k.Name,
            k.Mode.ToWire(),
            k.Display,
            k.StatusAt(now).ToString().ToLowerInvariant(),
            k.CreatedAt,
            k.LastUsedAt,
            k.ExpiresAt,
            k.RevokedAt))]);
    }
}
