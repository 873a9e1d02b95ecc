using Billing.Application.Abstractions.Messaging;
using FluentValidation;

namespace Billing.Application.OperatorConsole.Search;

/// <summary>
/// Find a user or an event from whatever an operator has at hand: Flash user id, email, Stripe customer / subscription /
/// checkout session / invoice / payment id, Apple original transaction / transaction id, grant key, provider event id.
/// </summary>
public sealed record SearchBillingQuery(string Term) : IQuery<SearchResults>;

public sealed record SearchResults(string Term, IReadOnlyList<SearchHit> Hits)
{
    /// <summary>The one user every hit points to, if they all do: the console opens that user directly.</summary>
    public string? SingleUserId => Hits.Count > 0 && Hits.All(h => h.UserId is not null) && Hits.Select(h => h.UserId).Distinct().Count() == 1 ? Hits[0].UserId : null;
}

/// <summary>What matched (kind: customer, subscription, purchase, grant, event), the matching value, and where it leads.</summary>
public sealed record SearchHit(string Kind, string Matched, string? UserId, long? InboxEventId, string Detail);

internal sealed class SearchBillingQueryValidator : AbstractValidator<SearchBillingQuery>
{
    public SearchBillingQueryValidator() => RuleFor(q => q.Term).NotEmpty().MaximumLength(255);
}
