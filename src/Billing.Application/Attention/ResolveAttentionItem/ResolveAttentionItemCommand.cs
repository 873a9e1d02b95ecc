using Billing.Application.Abstractions.Messaging;
using Billing.Application.Audit;
using FluentValidation;

namespace Billing.Application.Attention.ResolveAttentionItem;

/// <summary>
/// Operator: close an attention item (an unattributable Apple payment, an unmapped Stripe price, a refused Sandbox purchase)
/// once it is handled, with a reason; audited in the same transaction. Unknown id → 404; already resolved → 409. Raising the
/// same item again later reopens it.
/// </summary>
public sealed record ResolveAttentionItemCommand(Guid Id, AuditContext By) : ICommand<AttentionItemResponse>;

public sealed record AttentionItemResponse(
    Guid Id,
    string Kind,
    string ObjectKey,
    string? UserId,
    string Reason,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastSeenAt,
    int Occurrences,
    DateTimeOffset? ResolvedAt,
    string? ResolvedBy,
    string? ResolutionReason)
{
    internal static AttentionItemResponse From(Abstractions.Attention.AttentionItem a) =>
        new(a.Id, a.Kind, a.ObjectKey, a.UserId, a.Reason, a.CreatedAt, a.LastSeenAt, a.Occurrences, a.ResolvedAt, a.ResolvedBy, a.ResolutionReason);
}

internal sealed class ResolveAttentionItemCommandValidator : AbstractValidator<ResolveAttentionItemCommand>
{
    public ResolveAttentionItemCommandValidator()
    {
        RuleFor(c => c.Id).NotEmpty();
        RuleFor(c => c.By).MustBeAuditable();
    }
}
