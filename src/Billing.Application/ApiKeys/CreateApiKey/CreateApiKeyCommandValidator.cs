using Billing.Domain.ApiKeys;
using FluentValidation;

namespace Billing.Application.ApiKeys.CreateApiKey;

internal sealed class CreateApiKeyCommandValidator : AbstractValidator<CreateApiKeyCommand>
{
    public CreateApiKeyCommandValidator()
    {
        RuleFor(c => c.Name).NotEmpty().MaximumLength(ApiKey.MaxNameLength);
        RuleFor(c => c.Mode).Must(m => ApiKeyModes.TryParse(m, out _)).WithMessage("mode is \"live\" or \"test\".");
    }
}
