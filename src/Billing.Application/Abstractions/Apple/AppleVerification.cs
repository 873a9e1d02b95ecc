using System.Diagnostics.CodeAnalysis;

namespace Billing.Application.Abstractions.Apple;

/// <summary>Outcome of verifying Apple signed data: the decoded value, or a reason and a message that never contains token content.</summary>
public sealed class AppleVerification<T>
    where T : class
{
    private AppleVerification(T? value, AppleVerificationFailure failure, string? failureMessage)
    {
        Value = value;
        Failure = failure;
        FailureMessage = failureMessage;
    }

    /// <summary>True when the signature, chain and app checks all passed.</summary>
    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(FailureMessage))]
    public bool IsValid => Failure == AppleVerificationFailure.None;

    /// <summary>The decoded value; set only when <see cref="IsValid"/>.</summary>
    public T? Value { get; }

    /// <summary><see cref="AppleVerificationFailure.None"/> on success.</summary>
    public AppleVerificationFailure Failure { get; }

    /// <summary>Safe to log: describes the check that failed, never echoes the token.</summary>
    public string? FailureMessage { get; }

    public static AppleVerification<T> Success(T value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new AppleVerification<T>(value, AppleVerificationFailure.None, null);
    }

    public static AppleVerification<T> Fail(AppleVerificationFailure failure, string message)
    {
        if (failure == AppleVerificationFailure.None)
        {
            throw new ArgumentException("A failure needs a reason other than None.", nameof(failure));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        return new AppleVerification<T>(null, failure, message);
    }

    public override string ToString() => IsValid ? "Valid" : $"{Failure}: {FailureMessage}";
}
