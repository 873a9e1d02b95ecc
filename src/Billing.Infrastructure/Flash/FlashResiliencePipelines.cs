using System.Net;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Billing.Infrastructure.Flash;

/// <summary>
/// The Polly 8 pipelines for one upstream. Grant delivery (<see cref="Write"/>), reads (<see cref="Read"/>) and the generation
/// relay (<see cref="Generate"/>) each have their own circuit breaker: slow generations or a failing read cannot stop grants,
/// and the other way round. Retries exist only in <see cref="Read"/>: grants and generation are not idempotent on Flash.
/// Timeouts sit inside each breaker so that they count as failures.
/// </summary>
internal sealed class FlashResiliencePipelines
{
    private readonly CircuitBreakerStateProvider _writeState = new();
    private readonly CircuitBreakerManualControl _writeControl = new();
    private readonly CircuitBreakerManualControl _readControl = new();
    private readonly TimeProvider _clock;

    // When the delivery breaker lets a trial through again. Polly only moves Open → HalfOpen when a call is attempted, so its
    // state alone would say "open" for ever to a caller that waits for it to close.
    private long _writeOpenUntilTicks;

    public FlashResiliencePipelines(FlashOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clock = timeProvider ?? TimeProvider.System;
        _clock = clock;

        var readBuilder = new ResiliencePipelineBuilder { TimeProvider = clock };
        if (options.ReadRetryCount > 0)
        {
            readBuilder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.ReadRetryCount,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.ReadRetryBaseDelay,
                ShouldHandle = args => ValueTask.FromResult(IsTransientFailure(args.Outcome.Exception, args.Outcome.Result)),
            });
        }

        Read = readBuilder.AddCircuitBreaker(BreakerOptions(options, _readControl, stateProvider: null)).AddTimeout(options.AttemptTimeout).Build();
        Write = new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddCircuitBreaker(BreakerOptions(options, _writeControl, _writeState, onOpened: breakDuration =>
                Interlocked.Exchange(ref _writeOpenUntilTicks, (_clock.GetUtcNow() + breakDuration).UtcTicks)))
            .AddTimeout(options.AttemptTimeout).Build();
        Generate = new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddCircuitBreaker(BreakerOptions(options, manualControl: null, stateProvider: null)).AddTimeout(options.GenerateTimeout).Build();
    }

    /// <summary>True while the delivery breaker refuses calls: isolated, or open and its break not over yet (after that a call
    /// would be let through as the half-open trial).</summary>
    public bool IsWriteCircuitOpen => _writeState.CircuitState switch
    {
        CircuitState.Isolated => true,
        CircuitState.Open => _clock.GetUtcNow().UtcTicks < Interlocked.Read(ref _writeOpenUntilTicks),
        _ => false,
    };

    /// <summary>The upstream answered a health probe: close the delivery and read breakers (the relay's is left alone).</summary>
    public async Task CloseLedgerCircuitsAsync(CancellationToken cancellationToken)
    {
        await _writeControl.CloseAsync(cancellationToken);
        await _readControl.CloseAsync(cancellationToken);
    }

    /// <summary>Retry (jittered exponential) → read breaker → per-attempt timeout. For calls that are safe to repeat.</summary>
    public ResiliencePipeline Read { get; }

    /// <summary>Delivery breaker → per-attempt timeout, one attempt. For the admin grant and /internal/credits grant/spend.</summary>
    public ResiliencePipeline Write { get; }

    /// <summary>Breaker → generation timeout, one attempt.</summary>
    public ResiliencePipeline Generate { get; }

    private static CircuitBreakerStrategyOptions BreakerOptions(
        FlashOptions options,
        CircuitBreakerManualControl? manualControl,
        CircuitBreakerStateProvider? stateProvider,
        Action<TimeSpan>? onOpened = null) => new()
    {
        OnOpened = args =>
        {
            onOpened?.Invoke(args.BreakDuration);
            return ValueTask.CompletedTask;
        },
        FailureRatio = options.CircuitFailureRatio,
        MinimumThroughput = options.CircuitMinimumThroughput,
        SamplingDuration = options.CircuitSamplingDuration,
        BreakDuration = options.CircuitBreakDuration,
        ManualControl = manualControl,
        StateProvider = stateProvider,
        ShouldHandle = args => ValueTask.FromResult(IsTransientFailure(args.Outcome.Exception, args.Outcome.Result)),
    };

    /// <summary>What counts as "the upstream is unwell": transport errors, timeouts, 5xx, 408 and 429. Never a caller's cancellation.</summary>
    public static bool IsTransientFailure(Exception? exception, object? result) => exception switch
    {
        null => result switch
        {
            FlashHttpResponse response => IsTransientStatus(response.StatusCode),
            HttpResponseMessage message => IsTransientStatus((int)message.StatusCode),
            _ => false,
        },
        HttpRequestException or TimeoutRejectedException or IOException => true,
        _ => false,
    };

    public static bool IsTransientStatus(int statusCode) =>
        statusCode >= 500 || statusCode == (int)HttpStatusCode.RequestTimeout || statusCode == (int)HttpStatusCode.TooManyRequests;

    /// <summary>True for the failures that leave no doubt nothing was attempted (the breaker refused).</summary>
    public static bool IsCircuitOpen(Exception exception) => exception is BrokenCircuitException;
}

/// <summary>A fully read answer, so retries never juggle live response objects.</summary>
internal sealed record FlashHttpResponse(int StatusCode, byte[] Body)
{
    public bool IsSuccess => StatusCode is >= 200 and < 300;

    public string BodyText => System.Text.Encoding.UTF8.GetString(Body);
}
