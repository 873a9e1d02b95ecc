using Billing.Domain.Common;

namespace Billing.Domain.Audit;

/// <summary>
/// One line of the append-only audit log: who changed what, when, why, and the object before and after (JSON).
/// Written in the same transaction as the change; the database refuses UPDATE and DELETE on the table.
/// </summary>
public sealed class AuditEntry
{
    public const int MaxReasonLength = 1000;
    public const int MaxActorLength = 400;

    private AuditEntry()
    {
    }

    public long Id { get; private set; }

    public DateTimeOffset At { get; private set; }

    /// <summary><c>operator:&lt;email&gt;</c> (console), <c>cli:&lt;os user&gt;</c> (CLI) or <c>system</c>.</summary>
    public string Actor { get; private set; } = "";

    /// <summary>A dotted verb: grant.requeue, grant.confirm, inbox.replay, operator.add, ...</summary>
    public string Action { get; private set; } = "";

    public string ObjectType { get; private set; } = "";

    public string ObjectId { get; private set; } = "";

    public string Reason { get; private set; } = "";

    public string? Before { get; private set; }

    public string? After { get; private set; }

    public static AuditEntry Record(string actor, string action, string objectType, string objectId, string reason, string? before, string? after, DateTimeOffset now)
    {
        var trimmedReason = reason?.Trim() ?? "";
        if (trimmedReason.Length == 0)
        {
            throw new InvalidDomainValueException("audit.reason_missing", "A change needs a reason.");
        }

        if (trimmedReason.Length > MaxReasonLength)
        {
            throw new InvalidDomainValueException("audit.reason_too_long", $"A reason has at most {MaxReasonLength} characters.");
        }

        if (string.IsNullOrWhiteSpace(actor) || actor.Length > MaxActorLength)
        {
            throw new InvalidDomainValueException("audit.actor_invalid", "A change needs an actor.");
        }

        return new AuditEntry
        {
            At = now,
            Actor = actor,
            Action = action,
            ObjectType = objectType,
            ObjectId = objectId,
            Reason = trimmedReason,
            Before = before,
            After = after,
        };
    }
}
