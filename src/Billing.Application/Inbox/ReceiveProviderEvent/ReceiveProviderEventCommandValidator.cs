using FluentValidation;

namespace Billing.Application.Inbox.ReceiveProviderEvent;

internal sealed class ReceiveProviderEventCommandValidator : AbstractValidator<ReceiveProviderEventCommand>
{
    public ReceiveProviderEventCommandValidator()
    {
        RuleFor(c => c.Provider).NotEmpty().MaximumLength(16);
        RuleFor(c => c.EventId).NotEmpty().MaximumLength(255);
        RuleFor(c => c.EventType).NotEmpty().MaximumLength(100);
        RuleFor(c => c.Payload).NotEmpty();
    }
}
