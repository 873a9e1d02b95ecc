using Billing.Application.Audit;
using FluentValidation;

namespace Billing.Application.Operators.AddOperator;

internal sealed class AddOperatorCommandValidator : AbstractValidator<AddOperatorCommand>
{
    public const int MinPasswordLength = 12;

    public AddOperatorCommandValidator()
    {
        RuleFor(c => c.Email).NotEmpty().MaximumLength(Domain.Operators.Operator.MaxEmailLength);
        RuleFor(c => c.Role).Must(r => r is "viewer" or "operator" or "admin").WithMessage("role is one of: viewer, operator, admin.");
        RuleFor(c => c.Password).NotEmpty().MinimumLength(MinPasswordLength).MaximumLength(256)
            .WithMessage($"A password has {MinPasswordLength} to 256 characters.");
        RuleFor(c => c.By).MustBeAuditable();
    }
}
