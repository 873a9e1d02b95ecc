using System.Text.Json;
using Billing.Application.Abstractions.Flash;
using Billing.TestFakes.Flash;
using static Billing.Infrastructure.Tests.Flash.FlashTestSupport;

namespace Billing.Infrastructure.Tests.Flash;

public sealed class FlashStreamTests
{
    private static readonly TimeSpan EventInterval = TimeSpan.FromMilliseconds(150);

    [Fact]
    public async Task First_event_arrives_before_flash_finishes_the_stream()
    {
        await using var fake = await FlashFake.StartAsync(new FlashFakeOptions { GatewaySigningSecret = SigningSecret, StreamEventInterval = EventInterval });
        var userId = fake.AddUser("ext-1", balance: 20);
        using var flash = new TestFlashClient(Options(fake, signed: true));
        using var body = JsonDocument.Parse("""{"query":"The fall of Constantinople"}""");
        using var destination = new RecordingStream();

        var relay = flash.Relay.RelayGenerateStreamAsync(userId, body.RootElement, destination, CancellationToken.None);
        await destination.FirstWrite.Task.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(0, fake.StreamsCompleted);
        Assert.False(relay.IsCompleted);
        Assert.StartsWith("data: {\"event\":\"start\"", destination.Text, StringComparison.Ordinal);

        await relay.WaitAsync(TimeSpan.FromSeconds(10));
        var events = destination.Text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(10, events.Length);
        Assert.Contains("\"event\":\"done\"", events[^1], StringComparison.Ordinal);
        Assert.Equal(1, fake.StreamsCompleted);
        Assert.Equal(15, fake.BalanceOf(userId));
    }

    [Fact]
    public async Task Cancelling_stops_the_upstream_request()
    {
        await using var fake = await FlashFake.StartAsync(new FlashFakeOptions { GatewaySigningSecret = SigningSecret, StreamEventInterval = EventInterval });
        var userId = fake.AddUser("ext-1", balance: 20);
        using var flash = new TestFlashClient(Options(fake, signed: true));
        using var body = JsonDocument.Parse("""{"query":"Apollo 11 landing"}""");
        using var destination = new RecordingStream();
        using var callerGone = new CancellationTokenSource();

        var relay = flash.Relay.RelayGenerateStreamAsync(userId, body.RootElement, destination, callerGone.Token);
        await destination.FirstWrite.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await callerGone.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => relay);
        await EventuallyAsync(() => fake.StreamsAborted + fake.StreamsCompleted == 1);
        Assert.Equal(1, fake.StreamsAborted);
        Assert.Equal(0, fake.StreamsCompleted);

        // Flash refunds a stream that never sent "done".
        await EventuallyAsync(() => fake.BalanceOf(userId) == 20);
    }

    [Fact]
    public async Task Refusal_before_streaming_throws_and_writes_nothing()
    {
        await using var fake = await FlashFake.StartAsync(new FlashFakeOptions { GatewaySigningSecret = SigningSecret });
        var userId = fake.AddUser("ext-1", balance: 2);
        using var flash = new TestFlashClient(Options(fake, signed: true));
        using var body = JsonDocument.Parse("""{"query":"Moon landing"}""");
        using var destination = new RecordingStream();

        var exception = await Assert.ThrowsAsync<FlashRequestException>(() =>
            flash.Relay.RelayGenerateStreamAsync(userId, body.RootElement, destination, CancellationToken.None));

        Assert.Equal(402, exception.StatusCode);
        Assert.Equal(string.Empty, destination.Text);
        Assert.Equal(1, fake.RequestCount(FlashFake.GenerateStreamPath));
    }
}
