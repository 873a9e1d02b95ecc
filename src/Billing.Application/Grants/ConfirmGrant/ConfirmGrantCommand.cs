using Billing.Application.Abstractions.Messaging;
using Billing.Application.Grants.ListGrants;

namespace Billing.Application.Grants.ConfirmGrant;

/// <summary>Operator: an in-doubt grant was checked in Flash and found applied; close it as delivered without resending.</summary>
public sealed record ConfirmGrantCommand(string GrantKey) : ICommand<OperatorGrantResponse>;
