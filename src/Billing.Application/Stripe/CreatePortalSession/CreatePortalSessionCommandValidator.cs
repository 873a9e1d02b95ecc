using Billing.Domain.Common;
using FluentValidation;

namespace Billing.Application.Stripe.CreatePortalSession;

internal sealed class CreatePortalSessionCommandValidator : AbstractValidator<CreatePortalSessionCommand>
{
    public CreatePortalSessionCommandValidator()
    {
        RuleFor(c => c.UserId).NotEmpty().MaximumLength(UserId.MaxLength);
    }
}
