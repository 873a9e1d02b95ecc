using Billing.Application.Abstractions.Messaging;
using Billing.Application.Audit;
using FluentValidation;

namespace Billing.Application.Inbox.ReplayInboxEvent;

/// <summary>Mark a stored event due again (audited). <see cref="InboxReplayer"/> then processes it through the normal path.</summary>
public sealed record ReplayInboxEventCommand(long InboxEventId, AuditContext By) : ICommand<InboxEventSummary>;

internal sealed class ReplayInboxEventCommandValidator : AbstractValidator<ReplayInboxEventCommand>
{
    public ReplayInboxEventCommandValidator()
    {
        RuleFor(c => c.InboxEventId).GreaterThan(0);
        RuleFor(c => c.By).MustBeAuditable();
    }
}
