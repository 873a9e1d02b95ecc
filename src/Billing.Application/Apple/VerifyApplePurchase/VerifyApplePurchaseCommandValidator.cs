using Billing.Domain.Common;
using FluentValidation;

namespace Billing.Application.Apple.VerifyApplePurchase;

internal sealed class VerifyApplePurchaseCommandValidator : AbstractValidator<VerifyApplePurchaseCommand>
{
    public VerifyApplePurchaseCommandValidator()
    {
        RuleFor(c => c.UserId).NotEmpty().MaximumLength(UserId.MaxLength);
        RuleFor(c => c.SignedTransaction).NotEmpty().MaximumLength(VerifyApplePurchaseCommand.MaxSignedTransactionLength);
    }
}
