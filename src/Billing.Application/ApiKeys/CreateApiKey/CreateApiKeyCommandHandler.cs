using Billing.Application.Abstractions.ApiKeys;
using Billing.Application.Abstractions.Persistence;
using Billing.Domain.ApiKeys;
using Billing.Domain.Common;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Billing.Application.ApiKeys.CreateApiKey;

internal sealed class CreateApiKeyCommandHandler(IBillingDbContext db, IApiKeyOwnerLock ownerLock, ApiKeyOptions options, TimeProvider clock)
    : IRequestHandler<CreateApiKeyCommand, CreatedApiKeyResponse>
{
    public async Task<CreatedApiKeyResponse> Handle(CreateApiKeyCommand request, CancellationToken cancellationToken)
    {
        var owner = UserId.From(request.UserId);
        ApiKeyModes.TryParse(request.Mode, out var mode);
        var now = clock.GetUtcNow();

        await ownerLock.LockAsync(owner, cancellationToken);
        await ApiKeyLimit.EnsureRoomAsync(db, owner, options, now, cancellationToken);

        var (key, secret) = ApiKey.Create(owner, request.Name!, mode, request.ExpiresAt, now);
        db.ApiKeys.Add(key);
        return CreatedApiKeyResponse.From(key, secret);
    }
}

internal static class ApiKeyLimit
{
    public static async Task EnsureRoomAsync(IBillingDbContext db, UserId owner, ApiKeyOptions options, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var active = await db.ApiKeys.AsNoTracking()
            .Where(k => k.OwnerId == owner && k.RevokedAt == null && k.ReplacedBy == null && (k.ExpiresAt == null || k.ExpiresAt > now))
            .CountAsync(cancellationToken);
        if (active >= options.MaxActivePerUser)
        {
            throw new DomainException("api_key.limit_reached", $"A user can hold at most {options.MaxActivePerUser} active keys; revoke one first.");
        }
    }
}
