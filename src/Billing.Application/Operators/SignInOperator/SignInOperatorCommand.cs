using Billing.Application.Abstractions.Messaging;

namespace Billing.Application.Operators.SignInOperator;

/// <summary>Check an operator's password. A failure is a result, not an exception, so the failure counter commits.</summary>
public sealed record SignInOperatorCommand(string Email, string Password) : ICommand<SignInResult>
{
    public override string ToString() => $"SignInOperatorCommand {{ Email = {Email} }}";
}

public enum SignInOutcome
{
    SignedIn,

    /// <summary>Unknown email or wrong password: the two are not told apart.</summary>
    Invalid,
    LockedOut,
    Disabled,
}

public sealed record SignInResult(SignInOutcome Outcome, OperatorResponse? Operator);
