using Billing.Application.Abstractions.Messaging;
using Billing.Application.Grants.ListGrants;
using Billing.Application.Inbox;
using FluentValidation;

namespace Billing.Application.OperatorConsole.UserTimeline;

/// <summary>Everything that happened to one user's money, newest first, with the current subscriptions and tier.</summary>
public sealed record GetUserTimelineQuery(string UserId) : IQuery<UserTimeline>;

public sealed record UserTimeline(
    string UserId,
    string? Email,
    string? StripeCustomerId,
    string? CurrentTier,
    IReadOnlyList<SubscriptionView> Subscriptions,
    IReadOnlyList<PurchaseView> Purchases,
    IReadOnlyList<OperatorGrantResponse> Grants,
    IReadOnlyList<InboxEventSummary> Events,
    IReadOnlyList<TimelineItem> Items)
{
    public bool IsEmpty => Email is null && StripeCustomerId is null && Subscriptions.Count == 0 && Purchases.Count == 0 && Grants.Count == 0 && Events.Count == 0;
}

public sealed record SubscriptionView(string Source, string Tier, string ProviderSubscriptionId, string Status, int CreditsPerPeriod, DateTimeOffset? CurrentPeriodEnd, bool CancelAtPeriodEnd, int PaidPeriods);

public sealed record PurchaseView(string Provider, string ProductId, string ProviderPurchaseId, string Status, int Credits, string Price, long AmountRefundedMinor, DateTimeOffset CreatedAt, DateTimeOffset? PaidAt);

/// <summary>kind: event, purchase, subscription, payment, grant, refund, debt, audit.</summary>
public sealed record TimelineItem(DateTimeOffset At, string Kind, string Title, string Detail, string? GrantKey = null, long? InboxEventId = null);

internal sealed class GetUserTimelineQueryValidator : AbstractValidator<GetUserTimelineQuery>
{
    public GetUserTimelineQueryValidator() => RuleFor(q => q.UserId).NotEmpty().MaximumLength(Domain.Common.UserId.MaxLength);
}
