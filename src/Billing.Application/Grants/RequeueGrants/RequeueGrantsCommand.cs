using Billing.Application.Abstractions.Messaging;

namespace Billing.Application.Grants.RequeueGrants;

/// <summary>
/// Operator: send every grant in <paramref name="Status"/> (dead, in_doubt or owed_debt), optionally only one user's, round again,
/// oldest first, at most <paramref name="Limit"/> per call. For in_doubt this asserts the operator checked Flash and none of them
/// was applied; after an outage or a key fix, dead is the usual one.
/// </summary>
public sealed record RequeueGrantsCommand(string Status, string? UserId, int Limit = 500) : ICommand<RequeueGrantsResponse>;

/// <summary>How many were requeued (their keys), and how many in that status are left for another call.</summary>
public sealed record RequeueGrantsResponse(int Requeued, IReadOnlyList<string> GrantKeys, int Remaining);
