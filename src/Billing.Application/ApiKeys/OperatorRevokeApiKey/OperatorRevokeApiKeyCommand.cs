using Billing.Application.Abstractions.Messaging;
using Billing.Application.Abstractions.Persistence;
using Billing.Application.ApiKeys.SearchApiKeys;
using Billing.Application.Audit;
using Billing.Domain.ApiKeys;
using Billing.Domain.Common;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Billing.Application.ApiKeys.OperatorRevokeApiKey;

/// <summary>
/// Operator: revoke any user's developer key (a leaked key, abuse), with a reason, audited in the same transaction. Unlike
/// the owner's <see cref="RevokeApiKey.RevokeApiKeyCommand"/> it is not scoped to an owner, and revoking a revoked key is
/// refused (409) so the audit log keeps one revocation per key. The commit tells every instance to drop the key at once.
/// </summary>
public sealed record OperatorRevokeApiKeyCommand(string KeyId, AuditContext By) : ICommand<OperatorApiKeyView>;

internal sealed class OperatorRevokeApiKeyCommandValidator : AbstractValidator<OperatorRevokeApiKeyCommand>
{
    public OperatorRevokeApiKeyCommandValidator()
    {
        RuleFor(c => c.KeyId).NotEmpty().MaximumLength(ApiKeyId.MaxLength);
        RuleFor(c => c.By).MustBeAuditable();
    }
}

internal sealed class OperatorRevokeApiKeyCommandHandler(IBillingDbContext db, TimeProvider clock) : IRequestHandler<OperatorRevokeApiKeyCommand, OperatorApiKeyView>
{
    public async Task<OperatorApiKeyView> Handle(OperatorRevokeApiKeyCommand request, CancellationToken cancellationToken)
    {
        if (!ApiKeyId.TryFrom(request.KeyId.Trim(), out var id))
        {
            throw ApiKeyLookup.NotFound();
        }

        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == id, cancellationToken) ?? throw ApiKeyLookup.NotFound();
        var now = clock.GetUtcNow();
        if (key.RevokedAt is { } revokedAt)
        {
            throw new DomainException("api_key.already_revoked", $"Key {key.Id} was already revoked at {revokedAt:O}.");
        }

        var before = OperatorApiKeyView.From(key, now);
        key.Revoke(now);
        var after = OperatorApiKeyView.From(key, now);
        db.Audit(request.By, "api_key.revoke", "api_key", key.Id.Value, before, after, now);
        return after;
    }
}
