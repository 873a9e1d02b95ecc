using System.Net.Mail;
using Billing.Domain.Common;

namespace Billing.Domain.Operators;

public readonly record struct OperatorId(Guid Value)
{
    public static OperatorId New() => new(Guid.CreateVersion7());
}

/// <summary>viewer reads; operator also acts on money (requeue, confirm, replay); admin also manages operators.</summary>
public enum OperatorRole
{
    Viewer,
    Operator,
    Admin,
}

/// <summary>
/// A person who signs in to the console. The password is kept only as a hash; repeated failed sign-ins lock the account
/// for a while (docs/decisions/0026): <see cref="MaxFailedSignIns"/> failures in a row lock it for <see cref="LockoutDuration"/>.
/// </summary>
public sealed class Operator
{
    public const int MaxFailedSignIns = 5;
    public const int MaxEmailLength = 320;
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);

    private Operator()
    {
    }

    public OperatorId Id { get; private set; }

    /// <summary>Lower-cased, trimmed: the sign-in name.</summary>
    public string Email { get; private set; } = "";

    public OperatorRole Role { get; private set; }

    public string PasswordHash { get; private set; } = "";

    public bool Disabled { get; private set; }

    public int FailedSignIns { get; private set; }

    public DateTimeOffset? LockedUntil { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset? LastSignInAt { get; private set; }

    public static Operator Create(string email, OperatorRole role, string passwordHash, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(passwordHash))
        {
            throw new InvalidDomainValueException("operator.password_missing", "An operator needs a password.");
        }

        return new Operator
        {
            Id = OperatorId.New(),
            Email = NormalizeEmail(email),
            Role = role,
            PasswordHash = passwordHash,
            CreatedAt = now,
        };
    }

    /// <summary>The canonical form of a sign-in name; a malformed address is refused.</summary>
    public static string NormalizeEmail(string? email)
    {
        var trimmed = email?.Trim().ToLowerInvariant() ?? "";
        if (trimmed.Length is 0 or > MaxEmailLength || !MailAddress.TryCreate(trimmed, out var parsed) || parsed.Address != trimmed)
        {
            throw new InvalidDomainValueException("operator.email_invalid", "An operator's email must be a plain address such as ops@example.com.");
        }

        return trimmed;
    }

    public bool IsLockedOut(DateTimeOffset now) => LockedUntil is { } until && until > now;

    public bool May(OperatorRole needed) => !Disabled && Role >= needed;

    /// <summary>A wrong password. Returns true when this failure locked the account.</summary>
    public bool RecordFailedSignIn(DateTimeOffset now)
    {
        if (IsLockedOut(now))
        {
            // Attempts during a lockout are refused before the password is checked and do not extend it.
            return false;
        }

        FailedSignIns++;
        if (FailedSignIns < MaxFailedSignIns)
        {
            return false;
        }

        LockedUntil = now + LockoutDuration;
        FailedSignIns = 0;
        return true;
    }

    public void RecordSignIn(DateTimeOffset now)
    {
        if (Disabled)
        {
            throw new DomainException("operator.disabled", "This operator is disabled.");
        }

        if (IsLockedOut(now))
        {
            throw new DomainException("operator.locked_out", "This operator is locked out.");
        }

        FailedSignIns = 0;
        LockedUntil = null;
        LastSignInAt = now;
    }

    public void ChangePasswordHash(string passwordHash)
    {
        if (string.IsNullOrWhiteSpace(passwordHash))
        {
            throw new InvalidDomainValueException("operator.password_missing", "An operator needs a password.");
        }

        PasswordHash = passwordHash;
    }

    public void ChangeRole(OperatorRole role) => Role = role;

    public void Disable()
    {
        if (Disabled)
        {
            throw new DomainException("operator.already_disabled", "This operator is already disabled.");
        }

        Disabled = true;
    }

    public void Enable()
    {
        Disabled = false;
        FailedSignIns = 0;
        LockedUntil = null;
    }
}

public static class OperatorRoles
{
    public static string ToWire(this OperatorRole role) => role.ToString().ToLowerInvariant();

    public static OperatorRole FromWire(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "viewer" => OperatorRole.Viewer,
        "operator" => OperatorRole.Operator,
        "admin" => OperatorRole.Admin,
        _ => throw new InvalidDomainValueException("operator.role_invalid", "A role is one of: viewer, operator, admin."),
    };
}
