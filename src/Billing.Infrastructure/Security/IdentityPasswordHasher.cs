using Billing.Application.Abstractions.Security;
using Microsoft.AspNetCore.Identity;

namespace Billing.Infrastructure.Security;

/// <summary>
/// ASP.NET Core Identity's PasswordHasher (shared framework): PBKDF2-HMAC-SHA512, 100 000 iterations, 128-bit salt,
/// versioned format, constant-time comparison; it asks for a rehash when its defaults move on.
/// </summary>
internal sealed class IdentityPasswordHasher : IPasswordHasher
{
    // The hasher ignores the user object; one marker type keeps the generic happy.
    private sealed class OperatorAccount;

    private static readonly OperatorAccount Account = new();
    private readonly PasswordHasher<OperatorAccount> _hasher = new();

    public string Hash(string password) => _hasher.HashPassword(Account, password);

    public PasswordCheck Verify(string hash, string password)
    {
        try
        {
            return _hasher.VerifyHashedPassword(Account, hash, password) switch
            {
                PasswordVerificationResult.Success => PasswordCheck.Success,
                PasswordVerificationResult.SuccessRehashNeeded => PasswordCheck.SuccessRehashNeeded,
                _ => PasswordCheck.Failed,
            };
        }
        catch (FormatException)
        {
            // A corrupted stored hash signs no one in.
            return PasswordCheck.Failed;
        }
    }
}
