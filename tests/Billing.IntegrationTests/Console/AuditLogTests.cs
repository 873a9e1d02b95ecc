using Billing.Application.Audit;
using Billing.Application.Audit.ListAuditLog;
using Billing.Application.Grants.AuditedGrantActions;
using Billing.Domain.Common;
using Billing.IntegrationTests.Infrastructure;
using FluentValidation;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Billing.IntegrationTests.Console;

public sealed class AuditLogTests(BillingDatabase database) : IClassFixture<BillingDatabase>
{
    [Fact]
    public async Task TheAuditLog_RefusesUpdateDeleteAndTruncate_InTheDatabase()
    {
        await using var services = ServiceHost.Build(database.ConnectionString);
        var key = await ConsoleTestData.SeedDeadGrantAsync(database, Guid.NewGuid().ToString());
        await Send(services, new AuditedRequeueGrantCommand(key, new AuditContext("cli:tester", "user now exists in Flash")));

        foreach (var sql in new[] { "UPDATE audit_log SET reason = 'forged'", "DELETE FROM audit_log", "TRUNCATE audit_log" })
        {
            await using var command = database.DataSource.CreateCommand(sql);
            var refused = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
            Assert.Contains("append-only", refused.MessageText, StringComparison.Ordinal);
        }

        Assert.True(await database.ScalarAsync("SELECT count(*) FROM audit_log WHERE reason = 'user now exists in Flash'") == 1);
    }

    [Fact]
    public async Task AnAuditedRequeue_RecordsBeforeAndAfter_AndARefusedOneLeavesNoLine()
    {
        await using var services = ServiceHost.Build(database.ConnectionString);
        var key = await ConsoleTestData.SeedDeadGrantAsync(database, Guid.NewGuid().ToString());
        var by = new AuditContext("operator:ops@example.com", "Flash fixed the user");

        var requeued = await Send(services, new AuditedRequeueGrantCommand(key, by));
        Assert.Equal("pending", requeued.Status);
        var line = Assert.Single((await Send(services, new ListAuditLogQuery(ObjectId: key))).Entries);
        Assert.Equal(("grant.requeue", "grant", by.Actor), (line.Action, line.ObjectType, line.Actor));
        Assert.Contains("\"status\": \"dead\"", line.Before, StringComparison.Ordinal);
        Assert.Contains("\"status\": \"pending\"", line.After, StringComparison.Ordinal);

        // A pending grant cannot be requeued: the domain refuses, and the transaction (audit line included) rolls back.
        await Assert.ThrowsAsync<DomainException>(() => Send(services, new AuditedRequeueGrantCommand(key, by)));
        await Assert.ThrowsAsync<ValidationException>(() => Send(services, new AuditedConfirmGrantCommand(key, by with { Reason = "" })));
        Assert.Single((await Send(services, new ListAuditLogQuery(ObjectId: key))).Entries);
    }

    private static async Task<T> Send<T>(ServiceProvider services, IRequest<T> request)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(request);
    }
}
