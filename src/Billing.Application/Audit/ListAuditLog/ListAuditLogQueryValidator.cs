using FluentValidation;

namespace Billing.Application.Audit.ListAuditLog;

internal sealed class ListAuditLogQueryValidator : AbstractValidator<ListAuditLogQuery>
{
    public ListAuditLogQueryValidator()
    {
        RuleFor(q => q.Limit).InclusiveBetween(1, 1000);
        RuleFor(q => q.Actor).MaximumLength(400);
        RuleFor(q => q.Action).MaximumLength(100);
        RuleFor(q => q.ObjectId).MaximumLength(400);
    }
}
