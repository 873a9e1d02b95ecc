using Billing.Application.Abstractions.Messaging;

namespace Billing.Application.Grants.ListGrants;

/// <summary>Operator view of grants by status (default: everything that needs attention: dead, in_doubt, owed_debt).</summary>
public sealed record ListGrantsQuery(string? Status, string? UserId, int Limit = 100) : IQuery<ListGrantsResponse>;

public sealed record ListGrantsResponse(IReadOnlyDictionary<string, int> Counts, IReadOnlyList<OperatorGrantResponse> Grants);

public sealed record OperatorGrantResponse(
    string GrantKey,
    string UserId,
    int Amount,
    string TransactionType,
    string Status,
    int Attempts,
    bool Unconfirmed,
    string? LastError,
    string SourceEvent,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastAttemptAt,
    DateTimeOffset NextAttemptAt,
    DateTimeOffset? DeliveredAt,
    string? DeliveredVia);
