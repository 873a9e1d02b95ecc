using Billing.Application.Abstractions.Flash;
using Billing.Infrastructure.Flash;
using Billing.TestFakes.Flash;
using Polly.CircuitBreaker;
using static Billing.Infrastructure.Tests.Flash.FlashTestSupport;

namespace Billing.Infrastructure.Tests.Flash;

/// <summary>History timestamps, the health probe, and one circuit breaker per job (delivery, reads, relay).</summary>
public sealed class FlashLedgerSplitTests
{
    [Theory]
    [InlineData("2026-03-04T05:06:07.123456", "2026-03-04T05:06:07.1234560+00:00")]
    [InlineData("2026-03-04T05:06:07", "2026-03-04T05:06:07.0000000+00:00")]
    [InlineData("2026-03-04T07:06:07+02:00", "2026-03-04T05:06:07.0000000+00:00")]
    [InlineData("2026-03-04T05:06:07Z", "2026-03-04T05:06:07.0000000+00:00")]
    public void Flash_timestamps_without_an_offset_are_UTC(string wire, string expected)
    {
        Assert.True(FlashJson.TryParseTimestamp(wire, out var parsed));
        Assert.Equal(expected, parsed.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task History_rows_read_with_naive_timestamps_are_the_UTC_instant_Flash_wrote()
    {
        await using var fake = await FlashFake.StartAsync(SignedFake());
        using var flash = new TestFlashClient(Options(fake, signed: true));
        var userId = fake.AddUser("ext-ts", balance: 0);
        var written = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
        fake.AppendLedgerEntry(userId, 5, "admin_grant", "at noon UTC", written);

        var history = await flash.Client.GetHistoryAsync(userId, 10, 0, CancellationToken.None);

        Assert.Equal(written, Assert.Single(history).CreatedAt);
        Assert.Equal(TimeSpan.Zero, history[0].CreatedAt.Offset);
    }

    [Fact]
    public async Task Probe_answers_false_while_nothing_listens_and_true_when_Flash_is_back()
    {
        await using var fake = await FlashFake.StartAsync();
        using var flash = new TestFlashClient(Options(fake));
        await fake.StopListeningAsync();
        Assert.False(await flash.Client.ProbeAsync(CancellationToken.None));

        await fake.StartListeningAsync();
        Assert.True(await flash.Client.ProbeAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Failing_reads_open_only_the_read_breaker_grants_still_go_and_a_probe_closes_it()
    {
        await using var fake = await FlashFake.StartAsync();
        using var flash = new TestFlashClient(Options(fake, circuitMinimumThroughput: 2));
        var userId = fake.AddUser("ext-breakers", balance: 0);
        fake.Faults.FailNext(503, count: 20, pathPrefix: FlashFake.CostsPath);
        for (var i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<FlashUnavailableException>(() => flash.Client.GetCostsAsync(CancellationToken.None));
        }

        var refused = await Assert.ThrowsAsync<FlashUnavailableException>(() => flash.Client.GetCostsAsync(CancellationToken.None));
        Assert.IsType<BrokenCircuitException>(refused.InnerException);

        Assert.False(flash.Client.IsDeliveryCircuitOpen);
        Assert.IsType<FlashGrantOutcome.Applied>(await flash.Client.GrantCreditsAsync(new FlashGrant(userId, 3, "stripe_purchase", "still delivered"), CancellationToken.None));

        fake.Faults.Reset();
        Assert.True(await flash.Client.ProbeAsync(CancellationToken.None));
        Assert.NotEmpty(await flash.Client.GetCostsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Failing_grants_open_the_delivery_breaker_which_reports_open_and_leaves_the_relay_alone()
    {
        await using var fake = await FlashFake.StartAsync(SignedFake());
        using var flash = new TestFlashClient(Options(fake, signed: true, circuitMinimumThroughput: 2));
        var userId = fake.AddUser("ext-delivery", balance: 20);
        fake.Faults.FailNext(502, count: 4, pathPrefix: FlashFake.AdminGrantPath);
        for (var i = 0; i < 4; i++)
        {
            await flash.Client.GrantCreditsAsync(new FlashGrant(userId, 1, "stripe_purchase", $"g{i}"), CancellationToken.None);
        }

        Assert.True(flash.Client.IsDeliveryCircuitOpen);
        var notSent = Assert.IsType<FlashGrantOutcome.NotSent>(await flash.Client.GrantCreditsAsync(new FlashGrant(userId, 1, "stripe_purchase", "refused"), CancellationToken.None));
        Assert.False(notSent.Unreachable);
        Assert.NotEmpty(await flash.Client.GetCostsAsync(CancellationToken.None));
        using var body = System.Text.Json.JsonDocument.Parse("""{"query":"Rome, 44 BC"}""");
        await flash.Relay.GenerateSyncAsync(userId, body.RootElement, CancellationToken.None);
    }

    [Fact]
    public async Task A_refused_connection_is_not_sent_and_flagged_unreachable()
    {
        await using var fake = await FlashFake.StartAsync();
        using var flash = new TestFlashClient(Options(fake));
        await fake.StopListeningAsync();

        var outcome = await flash.Client.GrantCreditsAsync(new FlashGrant("user-1", 1, "stripe_purchase", "down"), CancellationToken.None);

        Assert.True(Assert.IsType<FlashGrantOutcome.NotSent>(outcome).Unreachable);
    }
}
