using Billing.Application.Inbox;
using Billing.Application.Inbox.ProcessInboxEvent;
using Billing.Application.Inbox.ReceiveProviderEvent;
using Billing.Infrastructure.Background;
using Billing.Infrastructure.Inbox;
using Billing.IntegrationTests.Infrastructure;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Billing.IntegrationTests.Inbox;

public sealed class InboxTests(BillingDatabase database) : IClassFixture<BillingDatabase>
{
    [Fact]
    public async Task Receive_FiftyConcurrentDeliveriesOfOneEvent_StoreOneRow_AndReportTheRestAsDuplicates()
    {
        await using var provider = ServiceHost.Build(database.ConnectionString);
        var eventId = "evt_" + Guid.NewGuid().ToString("N");

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
        {
            await using var scope = provider.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new ReceiveProviderEventCommand("test", eventId, "thing.happened", "{}", null));
        }));

        Assert.Equal(1, results.Count(r => !r.Duplicate));
        Assert.Equal(1, await database.ScalarAsync($"SELECT count(*) FROM inbox_events WHERE event_id = '{eventId}'"));
    }

    [Fact]
    public async Task Process_CallsTheProvidersProcessorOnce_EvenWhenRunConcurrently()
    {
        var processor = new CountingProcessor();
        await using var provider = ServiceHost.Build(database.ConnectionString, s => s.AddSingleton<IProviderEventProcessor>(processor));
        var id = await Receive(provider, "counting");

        var service = provider.GetServices<IHostedService>().OfType<InboxProcessorService>().SingleOrDefault()
            ?? ActivatorUtilities.CreateInstance<InboxProcessorService>(provider);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => service.ProcessOne(id, CancellationToken.None)));

        Assert.Equal(1, processor.Calls);
        Assert.Equal("processed", await Status(id));
    }

    [Fact]
    public async Task Process_WhenTheProcessorThrows_RollsBackAndSchedulesARetry_ThenSucceeds()
    {
        var processor = new CountingProcessor { FailuresBeforeSuccess = 1 };
        await using var provider = ServiceHost.Build(database.ConnectionString, s => s.AddSingleton<IProviderEventProcessor>(processor));
        var id = await Receive(provider, "counting");
        var service = ActivatorUtilities.CreateInstance<InboxProcessorService>(provider);

        await service.ProcessOne(id, CancellationToken.None);
        Assert.Equal("received", await Status(id));
        Assert.Equal(1, await database.ScalarAsync($"SELECT attempts FROM inbox_events WHERE id = {id}"));
        Assert.Equal(1, await database.ScalarAsync($"SELECT count(*) FROM inbox_events WHERE id = {id} AND next_attempt_at > now() AND last_error LIKE 'InvalidOperationException%'"));

        await service.ProcessOne(id, CancellationToken.None);
        Assert.Equal("processed", await Status(id));
    }

    [Fact]
    public async Task Process_AnEventOfAProviderWithoutAProcessor_IsRecordedAsIgnored()
    {
        await using var provider = ServiceHost.Build(database.ConnectionString);
        var id = await Receive(provider, "nobody");
        await using var scope = provider.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new ProcessInboxEventCommand(id));
        Assert.Equal(ProcessInboxEventResult.Ignored, result);
        Assert.Equal("ignored", await Status(id));
    }

    [Fact]
    public async Task Notify_WakesTheListenerWhenAnInboxRowCommits()
    {
        await using var provider = ServiceHost.Build(database.ConnectionString);
        var wakeups = provider.GetRequiredService<DatabaseWakeups>();
        var listener = ActivatorUtilities.CreateInstance<DatabaseNotificationListener>(provider);
        using var stop = new CancellationTokenSource();
        await listener.StartAsync(stop.Token);
        try
        {
            await wakeups.Inbox.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None); // the wake sent on (re)connect
            await Receive(provider, "counting");
            var started = DateTime.UtcNow;
            await wakeups.Inbox.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5), "the commit's NOTIFY should wake the inbox long before the fallback timeout");
        }
        finally
        {
            await stop.CancelAsync();
            await listener.StopAsync(CancellationToken.None);
        }
    }

    private async Task<string> Status(long id)
    {
        await using var db = database.CreateContext();
        return (await db.InboxEvents.SingleAsync(e => e.Id == id)).Status.ToString().ToLowerInvariant();
    }

    private static async Task<long> Receive(IServiceProvider provider, string providerName)
    {
        var eventId = "evt_" + Guid.NewGuid().ToString("N");
        await using var scope = provider.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new ReceiveProviderEventCommand(providerName, eventId, "thing.happened", "{}", null));
        var db = scope.ServiceProvider.GetRequiredService<Billing.Application.Abstractions.Persistence.IBillingDbContext>();
        return (await db.InboxEvents.SingleAsync(e => e.EventId == eventId)).Id;
    }

    private sealed class CountingProcessor : IProviderEventProcessor
    {
        private int _calls;

        public int FailuresBeforeSuccess { get; init; }

        public int Calls => _calls;

        public string Provider => "counting";

        public async Task<ProviderEventResult> ProcessAsync(InboxEvent inboxEvent, object? prepared, CancellationToken cancellationToken)
        {
            var call = Interlocked.Increment(ref _calls);
            await Task.Delay(50, cancellationToken); // hold the row lock while the other workers try
            return call <= FailuresBeforeSuccess ? throw new InvalidOperationException("processor failed") : ProviderEventResult.Processed();
        }
    }
}
