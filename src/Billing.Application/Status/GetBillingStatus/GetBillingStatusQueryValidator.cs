using Billing.Domain.Common;
using FluentValidation;

namespace Billing.Application.Status.GetBillingStatus;

internal sealed class GetBillingStatusQueryValidator : AbstractValidator<GetBillingStatusQuery>
{
    public GetBillingStatusQueryValidator()
    {
        RuleFor(q => q.UserId).NotEmpty().MaximumLength(UserId.MaxLength);
    }
}
