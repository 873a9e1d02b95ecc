using FluentValidation;

namespace Billing.Application.Grants.ListGrants;

internal sealed class ListGrantsQueryValidator : AbstractValidator<ListGrantsQuery>
{
    public static readonly string[] Statuses = ["pending", "delivered", "in_doubt", "dead", "owed_debt", "attention"];

    public ListGrantsQueryValidator()
    {
        RuleFor(q => q.Status).Must(s => s is null || Statuses.Contains(s)).WithMessage($"status is one of: {string.Join(", ", Statuses)}.");
        RuleFor(q => q.Limit).InclusiveBetween(1, 1000);
        RuleFor(q => q.UserId).MaximumLength(255);
    }
}
