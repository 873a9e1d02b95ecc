using System.Text.Json;
using Billing.Application.Abstractions.Persistence;
using Billing.Domain.Audit;

namespace Billing.Application.Audit;

internal static class AuditTrail
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Adds an audit line to the unit of work: it commits with the change it describes, or not at all.</summary>
    public static void Audit(this IBillingDbContext db, AuditContext by, string action, string objectType, string objectId, object? before, object? after, DateTimeOffset now) =>
        db.AuditLog.Add(AuditEntry.Record(by.Actor, action, objectType, objectId, by.Reason, Serialize(before), Serialize(after), now));

    private static string? Serialize(object? value) => value is null ? null : JsonSerializer.Serialize(value, value.GetType(), Json);
}
