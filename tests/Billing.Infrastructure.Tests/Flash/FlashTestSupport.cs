using Billing.Infrastructure.Flash;
using Billing.TestFakes.Flash;
using Microsoft.Extensions.Logging.Abstractions;

namespace Billing.Infrastructure.Tests.Flash;

/// <summary>A Flash client wired exactly as production wires it (same primary handler and pipelines), pointed at the fake.</summary>
internal sealed class TestFlashClient : IDisposable
{
    private readonly HttpClient _http;

    public TestFlashClient(FlashOptions options, TimeProvider? signingClock = null)
    {
        Options = options;
        _http = new HttpClient(FlashServiceCollectionExtensions.CreatePrimaryHandler(options)) { Timeout = Timeout.InfiniteTimeSpan };
        Pipelines = new FlashResiliencePipelines(options);
        Client = new FlashLedgerHttpClient(_http, options, Pipelines, signingClock ?? TimeProvider.System, NullLogger<FlashLedgerHttpClient>.Instance);
        Relay = new FlashRelayHttpClient(_http, options, Pipelines, signingClock ?? TimeProvider.System);
    }

    public FlashOptions Options { get; }

    public FlashResiliencePipelines Pipelines { get; }

    /// <summary>The ledger client (resolve, grant, reads).</summary>
    public FlashLedgerHttpClient Client { get; }

    public FlashRelayHttpClient Relay { get; }

    public void Dispose() => _http.Dispose();
}

internal static class FlashTestSupport
{
    public const string SigningSecret = "test-gateway-signing-secret";

    public static FlashOptions Options(
        FlashFake fake,
        bool signed = false,
        TimeSpan? attemptTimeout = null,
        int circuitMinimumThroughput = 100,
        string? adminKey = null,
        string? serviceKey = null) => Options(fake.BaseUrl, signed, attemptTimeout, circuitMinimumThroughput, adminKey ?? fake.Options.AdminKey, serviceKey ?? fake.Options.ServiceKey);

    public static FlashOptions Options(
        Uri baseUrl,
        bool signed = false,
        TimeSpan? attemptTimeout = null,
        int circuitMinimumThroughput = 100,
        string? adminKey = "fake-admin-key",
        string? serviceKey = "fake-service-key") => new()
    {
        BaseUrl = baseUrl,
        ServiceKey = serviceKey,
        AdminKey = adminKey,
        GatewaySigningSecret = signed ? SigningSecret : null,
        CreditsApiUrl = baseUrl,
        AttemptTimeout = attemptTimeout ?? TimeSpan.FromSeconds(2),
        GenerateTimeout = TimeSpan.FromSeconds(10),
        ReadRetryCount = 2,
        ReadRetryBaseDelay = TimeSpan.FromMilliseconds(10),
        CircuitMinimumThroughput = circuitMinimumThroughput,
        CircuitBreakDuration = TimeSpan.FromSeconds(30),
    };

    public static FlashFakeOptions SignedFake(bool requireSigned = false, TimeProvider? clock = null) => new()
    {
        GatewaySigningSecret = SigningSecret,
        RequireSignedGateway = requireSigned,
        TimeProvider = clock ?? TimeProvider.System,
    };

    public static async Task EventuallyAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(5));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("Condition not met in time.");
            }

            await Task.Delay(20);
        }
    }
}

/// <summary>A clock shifted from real time, to produce stale or future signatures.</summary>
internal sealed class ShiftedTimeProvider(TimeSpan shift) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + shift;
}

/// <summary>Destination stream that records what arrives and when the first bytes came.</summary>
internal sealed class RecordingStream : Stream
{
    private readonly MemoryStream _buffer = new();
    private readonly Lock _gate = new();

    public TaskCompletionSource FirstWrite { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Text
    {
        get { lock (_gate) { return System.Text.Encoding.UTF8.GetString(_buffer.ToArray()); } }
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count)
    {
        lock (_gate)
        {
            _buffer.Write(buffer, offset, count);
        }

        FirstWrite.TrySetResult();
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _buffer.Write(buffer.Span);
        }

        FirstWrite.TrySetResult();
        return ValueTask.CompletedTask;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _buffer.Dispose();
        }

        base.Dispose(disposing);
    }
}
