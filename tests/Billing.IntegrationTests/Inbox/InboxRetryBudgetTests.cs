using Billing.Application.Inbox;
using Billing.Application.Inbox.ReceiveProviderEvent;
using Billing.Application.Inbox.RecordInboxFailure;
using Billing.IntegrationTests.Infrastructure;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Billing.IntegrationTests.Inbox;

/// <summary>
/// How long a failing event is retried (docs/decisions/0015): paid-money events for INBOX_RETRY_DAYS with a capped backoff,
/// status-only events for a dozen attempts. Time is the subject, so it is a <see cref="FakeTimeProvider"/>.
/// </summary>
public sealed class InboxRetryBudgetTests(BillingDatabase database) : IClassFixture<BillingDatabase>
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 2, 8, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task APaidMoneyEvent_KeepsRetryingWithACappedBackoff_ForTheRetryWindow_ThenIsParkedAsFailed()
    {
        await using var provider = Host(retryDays: null);
        var id = await Receive(provider, InboxProviders.Stripe, "invoice.paid");

        // Far more attempts than a fixed budget would allow, over 29 days: the event is still due for another attempt.
        for (var attempt = 1; attempt <= 40; attempt++)
        {
            await Fail(provider, id);
            var row = await Row(id);
            Assert.Equal(InboxStatus.Received, row.Status);
            Assert.True(row.NextAttemptAt - _clock.GetUtcNow() <= InboxRetryPolicy.MaxDelay, $"attempt {attempt}: the backoff is capped at {InboxRetryPolicy.MaxDelay}");
            _clock.Advance(TimeSpan.FromHours(17));
        }

        Assert.True(_clock.GetUtcNow() - (await Row(id)).ReceivedAt < TimeSpan.FromDays(30));
        _clock.SetUtcNow((await Row(id)).ReceivedAt + TimeSpan.FromDays(30));
        await Fail(provider, id);
        Assert.Equal(InboxStatus.Failed, (await Row(id)).Status);
    }

    [Theory]
    [InlineData(InboxProviders.Stripe, "checkout.session.completed")]
    [InlineData(InboxProviders.Stripe, "charge.refunded")]
    [InlineData(InboxProviders.Apple, "DID_RENEW")]
    [InlineData(InboxProviders.Apple, "REFUND/")]
    [InlineData(InboxProviders.Apple, "DID_CHANGE_RENEWAL_PREF/UPGRADE")]
    public async Task EveryPaidMoneyType_OutlivesTheFixedBudget(string providerName, string eventType)
    {
        await using var provider = Host(retryDays: null);
        var id = await Receive(provider, providerName, eventType.TrimEnd('/'));
        for (var attempt = 1; attempt <= InboxRetryPolicy.OtherEventMaxAttempts + 3; attempt++)
        {
            await Fail(provider, id);
            _clock.Advance(TimeSpan.FromMinutes(10));
        }

        Assert.Equal(InboxStatus.Received, (await Row(id)).Status);
    }

    [Theory]
    [InlineData(InboxProviders.Stripe, "customer.subscription.updated")]
    [InlineData(InboxProviders.Apple, "DID_CHANGE_RENEWAL_STATUS/AUTO_RENEW_DISABLED")]
    public async Task AStatusOnlyEvent_IsParkedAfterTheFixedNumberOfAttempts(string providerName, string eventType)
    {
        await using var provider = Host(retryDays: null);
        var id = await Receive(provider, providerName, eventType);
        for (var attempt = 1; attempt < InboxRetryPolicy.OtherEventMaxAttempts; attempt++)
        {
            await Fail(provider, id);
            Assert.Equal(InboxStatus.Received, (await Row(id)).Status);
            _clock.Advance(TimeSpan.FromMinutes(10));
        }

        await Fail(provider, id);
        Assert.Equal(InboxStatus.Failed, (await Row(id)).Status);
    }

    [Fact]
    public async Task TheRetryWindow_IsSetByInboxRetryDays()
    {
        await using var provider = Host(retryDays: "2");
        var id = await Receive(provider, InboxProviders.Stripe, "invoice.paid");
        _clock.Advance(TimeSpan.FromDays(2) - TimeSpan.FromMinutes(1));
        await Fail(provider, id);
        Assert.Equal(InboxStatus.Received, (await Row(id)).Status);
        _clock.Advance(TimeSpan.FromMinutes(2));
        await Fail(provider, id);
        Assert.Equal(InboxStatus.Failed, (await Row(id)).Status);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("thirty")]
    [InlineData("-3")]
    [InlineData("400")]
    public void ABadInboxRetryDays_FailsNamingTheVariable(string value)
    {
        using var provider = ServiceHost.Build(database.ConnectionString, settings: new Dictionary<string, string?> { [InboxRetryPolicy.RetryDaysVariable] = value });
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => provider.GetRequiredService<InboxRetryPolicy>());
        Assert.Contains(InboxRetryPolicy.RetryDaysVariable, error.Message, StringComparison.Ordinal);
    }

    private ServiceProvider Host(string? retryDays) => ServiceHost.Build(
        database.ConnectionString,
        s => s.AddSingleton<TimeProvider>(_clock),
        retryDays is null ? null : new Dictionary<string, string?> { [InboxRetryPolicy.RetryDaysVariable] = retryDays });

    private static async Task Fail(IServiceProvider provider, long id)
    {
        await using var scope = provider.CreateAsyncScope();
        Assert.True(await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new RecordInboxFailureCommand(id, "StripeUnavailableException: Stripe is down")));
    }

    private static async Task<long> Receive(IServiceProvider provider, string providerName, string eventType)
    {
        var eventId = "evt_" + Guid.NewGuid().ToString("N");
        await using var scope = provider.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new ReceiveProviderEventCommand(providerName, eventId, eventType, "{}", null));
        var db = scope.ServiceProvider.GetRequiredService<Billing.Application.Abstractions.Persistence.IBillingDbContext>();
        return (await db.InboxEvents.SingleAsync(e => e.EventId == eventId)).Id;
    }

    private async Task<InboxEvent> Row(long id)
    {
        await using var db = database.CreateContext();
        return await db.InboxEvents.AsNoTracking().SingleAsync(e => e.Id == id);
    }
}
