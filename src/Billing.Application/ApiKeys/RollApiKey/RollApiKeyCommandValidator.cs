using FluentValidation;

namespace Billing.Application.ApiKeys.RollApiKey;

internal sealed class RollApiKeyCommandValidator : AbstractValidator<RollApiKeyCommand>
{
    public RollApiKeyCommandValidator() =>
        RuleFor(c => c.ExpireOldInSeconds).NotNull().InclusiveBetween(0, 604_800);
}
