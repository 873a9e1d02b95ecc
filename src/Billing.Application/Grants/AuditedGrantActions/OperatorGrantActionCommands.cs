using Billing.Application.Abstractions.Messaging;
using Billing.Application.Audit;
using Billing.Application.Grants.ListGrants;
using FluentValidation;

namespace Billing.Application.Grants.AuditedGrantActions;

/// <summary>The console's and the CLI's requeue: <see cref="RequeueGrant.RequeueGrantCommand"/> plus an audit line, in one transaction.</summary>
public sealed record AuditedRequeueGrantCommand(string GrantKey, AuditContext By) : ICommand<OperatorGrantResponse>;

/// <summary>The console's and the CLI's confirm: <see cref="ConfirmGrant.ConfirmGrantCommand"/> plus an audit line, in one transaction.</summary>
public sealed record AuditedConfirmGrantCommand(string GrantKey, AuditContext By) : ICommand<OperatorGrantResponse>;

/// <summary>
/// The console's and the CLI's bulk requeue: <see cref="RequeueGrants.RequeueGrantsCommand"/> (every grant in a status,
/// optionally one user's, oldest first, up to limit) plus one audit line per grant, all in one transaction.
/// </summary>
public sealed record AuditedRequeueGrantsCommand(string Status, string? UserId, int Limit, AuditContext By) : ICommand<RequeueGrants.RequeueGrantsResponse>;

internal sealed class AuditedRequeueGrantsCommandValidator : AbstractValidator<AuditedRequeueGrantsCommand>
{
    public AuditedRequeueGrantsCommandValidator()
    {
        RuleFor(c => c.Status).NotEmpty();
        RuleFor(c => c.By).MustBeAuditable();
    }
}

internal sealed class AuditedRequeueGrantCommandValidator : AbstractValidator<AuditedRequeueGrantCommand>
{
    public AuditedRequeueGrantCommandValidator()
    {
        RuleFor(c => c.GrantKey).NotEmpty().MaximumLength(Domain.Common.GrantKey.MaxLength);
        RuleFor(c => c.By).MustBeAuditable();
    }
}

internal sealed class AuditedConfirmGrantCommandValidator : AbstractValidator<AuditedConfirmGrantCommand>
{
    public AuditedConfirmGrantCommandValidator()
    {
        RuleFor(c => c.GrantKey).NotEmpty().MaximumLength(Domain.Common.GrantKey.MaxLength);
        RuleFor(c => c.By).MustBeAuditable();
    }
}
