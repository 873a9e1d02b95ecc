using FluentValidation;

namespace Billing.Application.Inbox.ListInboxEvents;

internal sealed class ListInboxEventsQueryValidator : AbstractValidator<ListInboxEventsQuery>
{
    public static readonly string[] Statuses = ["failed", "stale", "attention"];

    public ListInboxEventsQueryValidator()
    {
        RuleFor(q => q.Status).Must(s => s is null || Statuses.Contains(s)).WithMessage($"status is one of: {string.Join(", ", Statuses)}.");
        RuleFor(q => q.Limit).InclusiveBetween(1, 1000);
    }
}
