using System.Net;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Billing.Infrastructure.Flash;

/// <summary>
/// The Polly 8 pipelines for one upstream. One circuit breaker is shared by every call, so a dead upstream is not hammered
/// by reads, grants or generation alike. Retries exist only in <see cref="Read"/>: grants and generation are not idempotent on Flash.
/// Timeouts sit inside the breaker so that they count as failures.
/// </summary>
internal sealed class FlashResiliencePipelines
{
    public FlashResiliencePipelines(FlashOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clock = timeProvider ?? TimeProvider.System;

        var breaker = new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = options.CircuitFailureRatio,
                MinimumThroughput = options.CircuitMinimumThroughput,
                SamplingDuration = options.CircuitSamplingDuration,
                BreakDuration = options.CircuitBreakDuration,
                ShouldHandle = args => ValueTask.FromResult(IsTransientFailure(args.Outcome.Exception, args.Outcome.Result)),
            })
            .Build();

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

        Read = readBuilder.AddPipeline(breaker).AddTimeout(options.AttemptTimeout).Build();
        Write = new ResiliencePipelineBuilder { TimeProvider = clock }.AddPipeline(breaker).AddTimeout(options.AttemptTimeout).Build();
        Generate = new ResiliencePipelineBuilder { TimeProvider = clock }.AddPipeline(breaker).AddTimeout(options.GenerateTimeout).Build();
    }

    /// <summary>Retry (jittered exponential) → breaker → per-attempt timeout. For calls that are safe to repeat.</summary>
    public ResiliencePipeline Read { get; }

    /// <summary>Breaker → per-attempt timeout, one attempt. For the admin grant and /internal/credits grant/spend.</summary>
    public ResiliencePipeline Write { get; }

    /// <summary>Breaker → generation timeout, one attempt.</summary>
    public ResiliencePipeline Generate { get; }

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
