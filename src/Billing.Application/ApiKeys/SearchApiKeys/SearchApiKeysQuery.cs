using Billing.Application.Abstractions.Messaging;
using Billing.Domain.ApiKeys;
using FluentValidation;

namespace Billing.Application.ApiKeys.SearchApiKeys;

/// <summary>
/// Operator: developer keys by key id (<c>key_…</c>), by owner (Flash user id), or by the shown suffix (the last four
/// characters, typed alone or as the whole display <c>tp_live_…abcd</c>), newest first. Without a query: the most recently
/// used keys. Never a secret: the answer carries the display only.
/// </summary>
public sealed record SearchApiKeysQuery(string? Query, int Limit = SearchApiKeysQuery.DefaultLimit) : IQuery<ApiKeySearchResponse>
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;
}

public sealed record ApiKeySearchResponse(IReadOnlyList<OperatorApiKeyView> Keys);

/// <remarks><c>ReplacedBy</c>: the successor's id when the key was rolled.</remarks>
public sealed record OperatorApiKeyView(
    string Id,
    string OwnerId,
    string Name,
    string Mode,
    string Display,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastUsedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt,
    string? ReplacedBy)
{
    internal static OperatorApiKeyView From(ApiKey k, DateTimeOffset now) => new(
        k.Id.Value,
        k.OwnerId.Value,
        k.Name,
        k.Mode.ToWire(),
        k.Display,
        k.StatusAt(now).ToString().ToLowerInvariant(),
        k.CreatedAt,
        k.LastUsedAt,
        k.ExpiresAt,
        k.RevokedAt,
        k.ReplacedBy?.Value);
}

internal sealed class SearchApiKeysQueryValidator : AbstractValidator<SearchApiKeysQuery>
{
    public SearchApiKeysQueryValidator()
    {
        RuleFor(q => q.Query).MaximumLength(255);
        RuleFor(q => q.Limit).InclusiveBetween(1, SearchApiKeysQuery.MaxLimit);
    }
}
