using Billing.Application.Abstractions.Messaging;
using Billing.Application.Status.GetBillingStatus;

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

internal static class OperatorGrantMapping
{
    public static OperatorGrantResponse ToOperatorResponse(this Domain.Grants.CreditGrant g) => new(
        g.GrantKey.Value,
        g.UserId.Value,
        g.Amount,
        Domain.Common.TransactionTypeNames.ToWire(g.TransactionType),
        GetBillingStatusQueryHandler.Wire(g.Status.ToString()),
        g.Attempts,
        g.Unconfirmed,
        g.LastError,
        g.SourceEvent,
        g.CreatedAt,
        g.LastAttemptAt,
        g.NextAttemptAt,
        g.DeliveredAt,
        g.DeliveredVia is { } via ? GetBillingStatusQueryHandler.Wire(via.ToString()) : null);
}
