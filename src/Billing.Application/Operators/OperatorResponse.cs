using Billing.Domain.Operators;

namespace Billing.Application.Operators;

/// <summary>An operator account as the console and the CLI show it (never the password hash).</summary>
public sealed record OperatorResponse(
    Guid Id,
    string Email,
    string Role,
    bool Disabled,
    bool LockedOut,
    int FailedSignIns,
    DateTimeOffset? LockedUntil,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastSignInAt);

internal static class OperatorMapping
{
    public static OperatorResponse ToResponse(this Operator o, DateTimeOffset now) => new(
        o.Id.Value, o.Email, o.Role.ToWire(), o.Disabled, o.IsLockedOut(now), o.FailedSignIns, o.LockedUntil, o.CreatedAt, o.LastSignInAt);
}
