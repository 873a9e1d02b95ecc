using FluentValidation;

namespace Billing.Application.Attention.GetAttentionList;

internal sealed class GetAttentionListQueryValidator : AbstractValidator<GetAttentionListQuery>
{
    public GetAttentionListQueryValidator()
    {
        RuleFor(q => q.Limit).InclusiveBetween(1, GetAttentionListQuery.MaxLimit);
        RuleFor(q => q.Cursor)
            .Must(c => c is null || AttentionCursor.TryDecode(c, out _))
            .WithMessage("cursor is not a cursor this route returned.");
        RuleFor(q => q.Kind).MaximumLength(64);
        RuleFor(q => q.UserId).MaximumLength(255);
    }
}
