using Billing.Application.Abstractions.Messaging;
using FluentValidation;

namespace Billing.Application.Inbox.BrowseInboxEvents;

/// <summary>The whole webhook inbox for the console and CLI (the operator route lists only what needs a person), newest first, filtered by provider, type, status and received date; <c>BeforeId</c> pages back.</summary>
public sealed record BrowseInboxEventsQuery(
    string? Provider = null,
    string? EventType = null,
    string? Status = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    long? BeforeId = null,
    int Limit = 100) : IQuery<InboxEventPage>;

public sealed record InboxEventPage(IReadOnlyList<InboxEventSummary> Events, long? NextBeforeId, IReadOnlyDictionary<string, int> CountsByStatus);

internal sealed class BrowseInboxEventsQueryValidator : AbstractValidator<BrowseInboxEventsQuery>
{
    public static readonly string[] Statuses = ["received", "processed", "ignored", "failed"];

    public BrowseInboxEventsQueryValidator()
    {
        RuleFor(q => q.Limit).InclusiveBetween(1, 1000);
        RuleFor(q => q.Provider).MaximumLength(16);
        RuleFor(q => q.EventType).MaximumLength(100);
        RuleFor(q => q.Status).Must(s => string.IsNullOrEmpty(s) || Statuses.Contains(s)).WithMessage($"status is one of: {string.Join(", ", Statuses)}.");
    }
}
