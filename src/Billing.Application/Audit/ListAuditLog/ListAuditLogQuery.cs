using Billing.Application.Abstractions.Messaging;

namespace Billing.Application.Audit.ListAuditLog;

/// <summary>The audit log, newest first; filters match exactly (actor, action, object id); <c>BeforeId</c> pages back.</summary>
public sealed record ListAuditLogQuery(string? Actor = null, string? Action = null, string? ObjectId = null, long? BeforeId = null, int Limit = 100) : IQuery<AuditLogPage>;

public sealed record AuditLogPage(IReadOnlyList<AuditLogLine> Entries, long? NextBeforeId);

public sealed record AuditLogLine(long Id, DateTimeOffset At, string Actor, string Action, string ObjectType, string ObjectId, string Reason, string? Before, string? After);
