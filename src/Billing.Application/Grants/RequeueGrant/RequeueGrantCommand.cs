using Billing.Application.Abstractions.Messaging;
using Billing.Application.Grants.ListGrants;

namespace Billing.Application.Grants.RequeueGrant;

/// <summary>
/// Operator: send a dead, in-doubt or owed-debt grant round again with a fresh attempt budget. For an in-doubt grant this
/// asserts the operator checked Flash and the grant was not applied.
/// </summary>
public sealed record RequeueGrantCommand(string GrantKey) : ICommand<OperatorGrantResponse>;
