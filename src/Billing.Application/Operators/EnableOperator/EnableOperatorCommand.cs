using Billing.Application.Abstractions.Messaging;
using Billing.Application.Audit;
using FluentValidation;

namespace Billing.Application.Operators.EnableOperator;

/// <summary>Enable a disabled operator, or lift a lockout early.</summary>
public sealed record EnableOperatorCommand(string Email, AuditContext By) : ICommand<OperatorResponse>;

internal sealed class EnableOperatorCommandValidator : AbstractValidator<EnableOperatorCommand>
{
    public EnableOperatorCommandValidator()
    {
        RuleFor(c => c.Email).NotEmpty().MaximumLength(Domain.Operators.Operator.MaxEmailLength);
        RuleFor(c => c.By).MustBeAuditable();
    }
}
