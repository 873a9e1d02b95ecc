using FluentValidation;

namespace Billing.Application.Grants.RequeueGrants;

internal sealed class RequeueGrantsCommandValidator : AbstractValidator<RequeueGrantsCommand>
{
    public static readonly string[] Statuses = ["dead", "in_doubt", "owed_debt"];

    public RequeueGrantsCommandValidator()
    {
        RuleFor(c => c.Status).NotEmpty().Must(s => Statuses.Contains(s)).WithMessage($"status is one of: {string.Join(", ", Statuses)}.");
        RuleFor(c => c.Limit).InclusiveBetween(1, 1000);
        RuleFor(c => c.UserId).MaximumLength(255);
    }
}
