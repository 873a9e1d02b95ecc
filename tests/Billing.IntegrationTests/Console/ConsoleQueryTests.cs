using Billing.Application.OperatorConsole.Overview;
using Billing.Application.OperatorConsole.Search;
using Billing.Application.OperatorConsole.UserTimeline;
using Billing.IntegrationTests.Infrastructure;
using MediatR;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.IntegrationTests.Console;

public sealed class ConsoleQueryTests(BillingDatabase database) : IClassFixture<BillingDatabase>
{
    [Fact]
    public async Task Search_FindsAGrantByTheBareProviderId_ByUserId_AndTreatsWildcardsLiterally()
    {
        await using var services = ServiceHost.Build(database.ConnectionString);
        var user = "search-" + Guid.NewGuid().ToString("N")[..10];
        var key = await ConsoleTestData.SeedDeadGrantAsync(database, user);
        var invoiceId = key["stripe:invoice:".Length..];

        var byInvoice = await Send(services, new SearchBillingQuery(invoiceId));
        Assert.Equal(user, byInvoice.SingleUserId);
        Assert.Equal("grant", Assert.Single(byInvoice.Hits).Kind);
        Assert.Equal(user, (await Send(services, new SearchBillingQuery(key))).SingleUserId);
        Assert.Equal(user, (await Send(services, new SearchBillingQuery($"  {user} "))).SingleUserId);

        Assert.Empty((await Send(services, new SearchBillingQuery("in_%"))).Hits);
        Assert.Empty((await Send(services, new SearchBillingQuery("%"))).Hits);
        Assert.Empty((await Send(services, new SearchBillingQuery(invoiceId[..^2]))).Hits);
    }

    [Fact]
    public async Task TheTimeline_ShowsAGrantItsAttemptAndItsAuditLines_AndTheOverviewCountsIt()
    {
        await using var services = ServiceHost.Build(database.ConnectionString);
        var user = "timeline-" + Guid.NewGuid().ToString("N")[..10];
        var key = await ConsoleTestData.SeedDeadGrantAsync(database, user, amount: 45);
        await Send(services, new Billing.Application.Grants.AuditedGrantActions.AuditedRequeueGrantCommand(key, new Billing.Application.Audit.AuditContext("cli:t", "looked at it")));

        var timeline = await Send(services, new GetUserTimelineQuery(user));
        Assert.False(timeline.IsEmpty);
        Assert.Equal("pending", Assert.Single(timeline.Grants).Status);
        Assert.Contains(timeline.Items, i => i.Kind == "grant" && i.Title == "Grant of 45 credits queued" && i.GrantKey == key);
        Assert.Contains(timeline.Items, i => i.Kind == "audit" && i.Title == "grant.requeue by cli:t" && i.Detail.Contains("looked at it", StringComparison.Ordinal));
        Assert.True((await Send(services, new GetUserTimelineQuery("nobody-" + Guid.NewGuid()))).IsEmpty);

        var overview = await Send(services, new GetConsoleOverviewQuery());
        Assert.True(overview.GrantsByStatus.GetValueOrDefault("pending") >= 1);
        Assert.Equal(168, overview.PaymentsPerHour.Count);
        Assert.Equal(168, overview.WebhooksPerHour.Count);
        Assert.Equal(7, overview.GrantLatencyPerDay.Count);
        Assert.Contains(overview.Providers, p => p.Provider == "stripe");
        Assert.Contains(overview.Providers, p => p.Provider == "apple");
    }

    private static async Task<T> Send<T>(ServiceProvider services, IRequest<T> request)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(request);
    }
}
