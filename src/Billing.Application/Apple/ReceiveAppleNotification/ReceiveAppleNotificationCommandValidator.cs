using Billing.Application.Abstractions.Apple;
using FluentValidation;

namespace Billing.Application.Apple.ReceiveAppleNotification;

internal sealed class ReceiveAppleNotificationCommandValidator : AbstractValidator<ReceiveAppleNotificationCommand>
{
    public ReceiveAppleNotificationCommandValidator()
    {
        RuleFor(c => c.Body).NotEmpty().MaximumLength(IAppleNotificationBodyReader.MaxLength);
    }
}
