namespace Billing.Application.Abstractions.Security;

public enum PasswordCheck
{
    Failed,
    Success,

    /// <summary>Correct, but hashed with older parameters: store a fresh hash.</summary>
    SuccessRehashNeeded,
}

/// <summary>Operator passwords: a slow, salted hash; verification in constant time.</summary>
public interface IPasswordHasher
{
    string Hash(string password);

    PasswordCheck Verify(string hash, string password);
}
