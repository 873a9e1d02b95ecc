using Billing.Application.Abstractions.Persistence;
using Billing.Application.Abstractions.Security;
using Billing.Application.Audit;
using Billing.Domain.Common;
using Billing.Domain.Operators;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Operators.SignInOperator;

internal sealed class SignInOperatorCommandHandler(IBillingDbContext db, IPasswordHasher hasher, TimeProvider clock, ILogger<SignInOperatorCommandHandler> logger)
    : IRequestHandler<SignInOperatorCommand, SignInResult>
{
    // Verified when the email is unknown, so an unknown account costs as much time as a wrong password.
    private static string? _decoyHash;

    public async Task<SignInResult> Handle(SignInOperatorCommand request, CancellationToken cancellationToken)
    {
        string email;
        try
        {
            email = Operator.NormalizeEmail(request.Email);
        }
        catch (InvalidDomainValueException)
        {
            return new SignInResult(SignInOutcome.Invalid, null);
        }

        var now = clock.GetUtcNow();
        var account = await db.Operators.SingleOrDefaultAsync(o => o.Email == email, cancellationToken);
        if (account is null)
        {
            hasher.Verify(Decoy(), request.Password ?? "");
            return new SignInResult(SignInOutcome.Invalid, null);
        }

        if (account.Disabled)
        {
            return new SignInResult(SignInOutcome.Disabled, null);
        }

        if (account.IsLockedOut(now))
        {
            return new SignInResult(SignInOutcome.LockedOut, null);
        }

        var check = hasher.Verify(account.PasswordHash, request.Password ?? "");
        if (check == PasswordCheck.Failed)
        {
            if (account.RecordFailedSignIn(now))
            {
                logger.LogWarning("Operator {Email} locked out after {Failures} failed sign-ins", account.Email, Operator.MaxFailedSignIns);
                db.Audit(new AuditContext(AuditContext.System, $"{Operator.MaxFailedSignIns} failed sign-ins in a row"), "operator.lockout", "operator", account.Email, null, account.ToResponse(now), now);
                return new SignInResult(SignInOutcome.LockedOut, null);
            }

            return new SignInResult(SignInOutcome.Invalid, null);
        }

        if (check == PasswordCheck.SuccessRehashNeeded)
        {
            account.ChangePasswordHash(hasher.Hash(request.Password!));
        }

        account.RecordSignIn(now);
        return new SignInResult(SignInOutcome.SignedIn, account.ToResponse(now));
    }

    private string Decoy() => _decoyHash ??= hasher.Hash("decoy-password-that-no-account-has");
}
