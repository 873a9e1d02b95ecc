using Billing.Application.Audit;
using Billing.Application.Audit.ListAuditLog;
using Billing.Application.Operators.AddOperator;
using Billing.Application.Operators.DisableOperator;
using Billing.Application.Operators.EnableOperator;
using Billing.Application.Operators.SignInOperator;
using Billing.Domain.Common;
using Billing.IntegrationTests.Infrastructure;
using FluentValidation;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Billing.IntegrationTests.Console;

public sealed class OperatorAccountTests(BillingDatabase database) : IClassFixture<BillingDatabase>
{
    private const string Password = "correct horse battery staple";
    private static readonly AuditContext Cli = new("cli:tester", "onboarding");

    [Fact]
    public async Task FiveWrongPasswords_LockTheAccountFor15Minutes_EvenForTheRightPassword()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
        await using var services = ServiceHost.Build(database.ConnectionString, s => s.AddSingleton<TimeProvider>(clock));
        var email = $"lock-{Guid.NewGuid():N}@example.com";
        await Send(services, new AddOperatorCommand(email, "operator", Password, Cli));

        for (var i = 1; i <= 4; i++)
        {
            Assert.Equal(SignInOutcome.Invalid, (await Send(services, new SignInOperatorCommand(email, "wrong password " + i))).Outcome);
        }

        Assert.Equal(SignInOutcome.LockedOut, (await Send(services, new SignInOperatorCommand(email, "wrong password 5"))).Outcome);
        Assert.Equal(SignInOutcome.LockedOut, (await Send(services, new SignInOperatorCommand(email, Password))).Outcome);

        clock.Advance(TimeSpan.FromMinutes(14));
        Assert.Equal(SignInOutcome.LockedOut, (await Send(services, new SignInOperatorCommand(email, Password))).Outcome);

        clock.Advance(TimeSpan.FromMinutes(1));
        var signedIn = await Send(services, new SignInOperatorCommand(email.ToUpperInvariant(), Password));
        Assert.Equal(SignInOutcome.SignedIn, signedIn.Outcome);
        Assert.Equal(email, signedIn.Operator!.Email);
        Assert.Equal(0, signedIn.Operator.FailedSignIns);

        var lockout = (await Send(services, new ListAuditLogQuery(ObjectId: email, Action: "operator.lockout"))).Entries;
        Assert.Equal("system", Assert.Single(lockout).Actor);
    }

    [Fact]
    public async Task AddingAnOperator_StoresAHashNotThePassword_AndIsAudited()
    {
        await using var services = ServiceHost.Build(database.ConnectionString);
        var email = $"add-{Guid.NewGuid():N}@example.com";
        var added = await Send(services, new AddOperatorCommand(email, "viewer", Password, Cli));
        Assert.Equal("viewer", added.Role);

        var stored = await database.ScalarAsync($"SELECT count(*) FROM operators WHERE email = '{email}' AND password_hash <> '' AND position('{Password}' in password_hash) = 0");
        Assert.Equal(1, stored);
        var line = Assert.Single((await Send(services, new ListAuditLogQuery(ObjectId: email))).Entries);
        Assert.Equal(("cli:tester", "operator.add", "onboarding"), (line.Actor, line.Action, line.Reason));
        Assert.Null(line.Before);
        Assert.Contains("\"role\": \"viewer\"", line.After, StringComparison.Ordinal);
        Assert.DoesNotContain("hash", line.After, StringComparison.OrdinalIgnoreCase);

        await Assert.ThrowsAsync<DomainException>(() => Send(services, new AddOperatorCommand(email, "admin", Password, Cli)));
        await Assert.ThrowsAsync<ValidationException>(() => Send(services, new AddOperatorCommand($"x{email}", "viewer", "short", Cli)));
        await Assert.ThrowsAsync<ValidationException>(() => Send(services, new AddOperatorCommand($"y{email}", "viewer", Password, Cli with { Reason = " " })));
    }

    [Fact]
    public async Task ADisabledOperator_CannotSignIn_UntilEnabled()
    {
        await using var services = ServiceHost.Build(database.ConnectionString);
        var email = $"dis-{Guid.NewGuid():N}@example.com";
        await Send(services, new AddOperatorCommand(email, "admin", Password, Cli));
        await Send(services, new DisableOperatorCommand(email, Cli with { Reason = "left the team" }));
        Assert.Equal(SignInOutcome.Disabled, (await Send(services, new SignInOperatorCommand(email, Password))).Outcome);
        Assert.Equal(SignInOutcome.Invalid, (await Send(services, new SignInOperatorCommand("nobody@example.com", Password))).Outcome);
        Assert.Equal(SignInOutcome.Invalid, (await Send(services, new SignInOperatorCommand("not an email", Password))).Outcome);

        await Send(services, new EnableOperatorCommand(email, Cli with { Reason = "came back" }));
        Assert.Equal(SignInOutcome.SignedIn, (await Send(services, new SignInOperatorCommand(email, Password))).Outcome);
        var actions = (await Send(services, new ListAuditLogQuery(ObjectId: email))).Entries.Select(e => e.Action).ToList();
        Assert.Equal(["operator.enable", "operator.disable", "operator.add"], actions);
    }

    private static async Task<T> Send<T>(ServiceProvider services, IRequest<T> request)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(request);
    }
}
