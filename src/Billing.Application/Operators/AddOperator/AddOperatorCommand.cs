using Billing.Application.Abstractions.Messaging;
using Billing.Application.Audit;

namespace Billing.Application.Operators.AddOperator;

/// <summary>Create an operator account with a role and a password (hashed here; the plain password is never stored or logged).</summary>
public sealed record AddOperatorCommand(string Email, string Role, string Password, AuditContext By) : ICommand<OperatorResponse>
{
    /// <summary>Keeps the password out of logs and exception messages.</summary>
    public override string ToString() => $"AddOperatorCommand {{ Email = {Email}, Role = {Role} }}";
}
