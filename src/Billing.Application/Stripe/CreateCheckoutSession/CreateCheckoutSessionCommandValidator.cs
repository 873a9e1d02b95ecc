using Billing.Domain.Catalog;
using Billing.Domain.Common;
using FluentValidation;

namespace Billing.Application.Stripe.CreateCheckoutSession;

internal sealed class CreateCheckoutSessionCommandValidator : AbstractValidator<CreateCheckoutSessionCommand>
{
    public CreateCheckoutSessionCommandValidator()
    {
        RuleFor(c => c.UserId).NotEmpty().MaximumLength(UserId.MaxLength);
        RuleFor(c => c.ProductId)
            .NotEmpty()
            .Must(id => ProductCatalog.TryFind(id, out _)).WithMessage("Unknown product '{PropertyValue}'.");
        RuleFor(c => c.UserEmail).EmailAddress().MaximumLength(320).When(c => c.UserEmail is not null);
        RuleFor(c => c.SuccessUrl).MaximumLength(2000);
        RuleFor(c => c.CancelUrl).MaximumLength(2000);
        RuleFor(c => c.AttemptKey).NotEmpty().MaximumLength(255);
    }
}
