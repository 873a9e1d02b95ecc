using Billing.Application.Abstractions.Messaging;
using Billing.Application.Audit;
using FluentValidation;

namespace Billing.Application.Operators.DisableOperator;

/// <summary>An operator can no longer sign in; an open console session ends at its next request.</summary>
public sealed record DisableOperatorCommand(string Email, AuditContext By) : ICommand<OperatorResponse>;

internal sealed class DisableOperatorCommandValidator : AbstractValidator<DisableOperatorCommand>
{
    public DisableOperatorCommandValidator()
    {
        RuleFor(c => c.Email).NotEmpty().MaximumLength(Domain.Operators.Operator.MaxEmailLength);
        RuleFor(c => c.By).MustBeAuditable();
    }
}
