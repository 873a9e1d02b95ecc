using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Billing.Api.Errors;
using Billing.Application.Abstractions.Flash;
using Billing.Application.Abstractions.RateLimiting;
using Billing.Application.Abstractions.Relay;
using Billing.Application.Abstractions.Usage;
using Billing.Application.ApiKeys.VerifyApiKey;
using Billing.Domain.ApiKeys;
using Billing.Domain.Common;
using MediatR;

namespace Billing.Api.Developer;

/// <summary>
/// The developer-facing relay: authenticates the bearer key (VerifyApiKey: format, directory, tier, rate limit), relays
/// to the Flash of the key's mode as the key's owner, applies Idempotency-Key on sync, meters every call, and answers
/// every refusal as ProblemDetails from the one error mapper. Errors are rendered here, not thrown past the endpoint,
/// so the rate-limit headers already set survive (the exception middleware clears headers).
/// </summary>
internal sealed partial class DeveloperRelay(
    IMediator mediator,
    IFlashRelayClients flash,
    ICreditCostTable costs,
    IRelayIdempotencyStore idempotency,
    IRequestRateLimiter limiter,
    TimeProvider clock,
    ILogger<DeveloperRelay> logger,
    // Registered by the usage writer; without one, calls are relayed unmetered.
    IUsageRecorder? usage = null)
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    public const string SyncRoute = "/v1/timepoints/generate/sync";
    public const string StreamRoute = "/v1/timepoints/generate/stream";
    public const string BalanceRoute = "/v1/credits/balance";
    public const string UsageRoute = "/v1/usage";
    public const string VerifyRoute = "/internal/billing/keys/verify";

    public async Task<IResult> SyncAsync(HttpContext context) => await CountingBytesAsync(context, SyncCoreAsync);

    public async Task<IResult> BalanceAsync(HttpContext context) => await CountingBytesAsync(context, BalanceCoreAsync);

    public async Task<IResult> UsageAsync(HttpContext context) => await CountingBytesAsync(context, UsageCoreAsync);

    private async Task<IResult> SyncCoreAsync(HttpContext context)
    {
        var started = clock.GetUtcNow();
        var timer = Stopwatch.GetTimestamp();
        Caller? caller = null;
        IResult result;
        var credits = 0;
        try
        {
            caller = await AuthenticateAsync(context, streams: false);
            Admit(caller);
            var client = FlashFor(caller);
            var (body, raw) = await ReadBodyAsync(context);
            var scope = IdempotencyScopeOf(context, caller);
            if (scope is not null)
            {
                switch (await idempotency.ClaimAsync(scope, SHA256.HashData(raw), context.RequestAborted))
                {
                    case IdempotencyClaim.Replay replay:
                        context.Response.Headers[ReplayedHeader] = "true";
                        result = new StoredAnswerResult(replay.Answer);
                        Meter(context, caller, SyncRoute, replay.Answer.Status, started, timer, replay.Answer.Body.Length, credits: 0);
                        return result;
                    case IdempotencyClaim.DifferentRequest:
                        throw DeveloperProblemException.IdempotencyMismatch();
                    case IdempotencyClaim.StillRunning:
                        throw DeveloperProblemException.IdempotencyInProgress();
                    default:
                        break;
                }
            }

            // With an Idempotency-Key the generation runs to its end even if the caller hangs up, so the retry gets its answer.
            var flashToken = scope is null ? context.RequestAborted : CancellationToken.None;
            IResult answer;
            try
            {
                var json = await client.Generation.GenerateSyncAsync(caller.Owner.Value, body, flashToken);
                credits = await costs.GenerationCostAsync(caller.Mode, PresetOf(body), CancellationToken.None);
                answer = TypedResults.Json(json);
            }
            catch (Exception exception) when (ProblemDetailsExceptionHandler.Map(exception) is { } problem)
            {
                LogRelayRefused(logger, SyncRoute, problem.Status ?? 0, exception.GetType().Name);
                answer = TypedResults.Problem(problem);
            }

            if (scope is null)
            {
                result = answer;
            }
            else
            {
                var rendered = await RenderAsync(context, answer);
                if (rendered.Status >= 500)
                {
                    // Flash did not take it (unreachable, or failed and refunded): the retry must run again.
                    await idempotency.ReleaseAsync(scope, CancellationToken.None);
                }
                else
                {
                    await idempotency.CompleteAsync(scope, rendered, CancellationToken.None);
                }

                result = new StoredAnswerResult(rendered);
            }
        }
        catch (Exception exception) when (ProblemDetailsExceptionHandler.Map(exception) is { } problem)
        {
            result = TypedResults.Problem(problem);
        }

        Meter(context, caller, SyncRoute, StatusOf(result), started, timer, bytesOut: null, credits);
        return result;
    }

    public async Task StreamAsync(HttpContext context)
    {
        var started = clock.GetUtcNow();
        var timer = Stopwatch.GetTimestamp();
        Caller? caller = null;
        var counting = new CountingStream(context.Response.Body);
        var credits = 0;
        try
        {
            caller = await AuthenticateAsync(context, streams: true);
            Admit(caller);
            var client = FlashFor(caller);
            var (body, raw) = await ReadBodyAsync(context);
            var scope = IdempotencyScopeOf(context, caller) is { } given ? given with { Key = "stream:" + given.Key } : null;

            // The slot first: a stream refused for concurrency must not use up its Idempotency-Key.
            var lease = await limiter.TryAcquireStreamAsync(caller.Owner.Value, caller.Policy, context.RequestAborted);
            if (lease is null)
            {
                context.Response.Headers.RetryAfter = "1";
                throw DeveloperProblemException.RateLimited($"Your tier allows {caller.Policy.ConcurrentStreams} concurrent stream(s); wait for one to finish.");
            }

            await using var held = lease;
            if (scope is not null && await idempotency.ClaimAsync(scope, SHA256.HashData(raw), context.RequestAborted) is not IdempotencyClaim.Claimed)
            {
                throw DeveloperProblemException.IdempotencyStreamRepeat();
            }

            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            context.Response.Headers["X-Accel-Buffering"] = "no";
            try
            {
                await client.Generation.RelayGenerateStreamAsync(caller.Owner.Value, body, counting, context.RequestAborted);
                credits = await costs.GenerationCostAsync(caller.Mode, PresetOf(body), CancellationToken.None);
            }
            catch (Exception exception) when (!context.Response.HasStarted && ProblemDetailsExceptionHandler.Map(exception) is { } problem)
            {
                if (scope is not null)
                {
                    // A 5xx: Flash did not take it, the key may be used again. Otherwise the key stays spent for 24 h.
                    await ((problem.Status ?? 500) >= 500
                        ? idempotency.ReleaseAsync(scope, CancellationToken.None)
                        : idempotency.CompleteAsync(scope, new StoredAnswer(problem.Status ?? 400, "application/problem+json", []), CancellationToken.None));
                }

                throw;
            }

            if (scope is not null)
            {
                await idempotency.CompleteAsync(scope, new StoredAnswer(StatusCodes.Status200OK, "text/event-stream", []), CancellationToken.None);
            }
        }
        catch (Exception exception) when (!context.Response.HasStarted && ProblemDetailsExceptionHandler.Map(exception) is { } problem)
        {
            context.Response.ContentType = null;
            context.Response.Headers.CacheControl = default;
            context.Response.Headers.Remove("X-Accel-Buffering");
            await TypedResults.Problem(problem).ExecuteAsync(context);
        }
        catch (Exception exception) when (context.Response.HasStarted && exception is FlashException or OperationCanceledException or IOException)
        {
            // Mid-stream: the status line is gone; Flash reports its own failures in-band, and a caller that left needs nothing.
            LogStreamEnded(logger, exception.GetType().Name);
        }

        Meter(context, caller, StreamRoute, context.Response.StatusCode, started, timer, counting.BytesWritten, credits);
    }

    private async Task<IResult> BalanceCoreAsync(HttpContext context)
    {
        var started = clock.GetUtcNow();
        var timer = Stopwatch.GetTimestamp();
        Caller? caller = null;
        IResult result;
        try
        {
            caller = await AuthenticateAsync(context, streams: false);
            Admit(caller);
            var client = FlashFor(caller);
            var balance = await client.Ledger.GetBalanceAsync(caller.Owner.Value, context.RequestAborted);
            result = TypedResults.Json(new BalanceResponse(balance.Balance, balance.LifetimeEarned, balance.LifetimeSpent, caller.Mode.ToWire()));
        }
        catch (Exception exception) when (ProblemDetailsExceptionHandler.Map(exception) is { } problem)
        {
            result = TypedResults.Problem(problem);
        }

        Meter(context, caller, BalanceRoute, StatusOf(result), started, timer, bytesOut: null, credits: 0);
        return result;
    }

    /// <summary>The key owner's metered usage (the same buckets as the internal usage route); a call to it is itself metered.</summary>
    private async Task<IResult> UsageCoreAsync(HttpContext context)
    {
        var started = clock.GetUtcNow();
        var timer = Stopwatch.GetTimestamp();
        Caller? caller = null;
        IResult result;
        try
        {
            caller = await AuthenticateAsync(context, streams: false);
            Admit(caller);
            var query = context.Request.Query;
            var usage = await mediator.Send(
                new Application.Usage.GetUsage.GetUsageQuery(caller.Owner.Value, query["from"], query["to"], query["granularity"], query["key_id"]),
                context.RequestAborted);
            result = TypedResults.Json(usage);
        }
        catch (Exception exception) when (ProblemDetailsExceptionHandler.Map(exception) is { } problem)
        {
            result = TypedResults.Problem(problem);
        }

        Meter(context, caller, UsageRoute, StatusOf(result), started, timer, bytesOut: null, credits: 0);
        return result;
    }

    /// <summary>For a gateway that authenticates keys itself; a valid verify counts as one request against the limit.</summary>
    public async Task<VerifyResponse> VerifyAsync(HttpContext context, string? key)
    {
        var started = clock.GetUtcNow();
        var timer = Stopwatch.GetTimestamp();
        var verified = await mediator.Send(new VerifyApiKeyQuery(key), context.RequestAborted);
        if (verified.IsAuthenticated)
        {
            Meter(context, new Caller(verified.KeyId!.Value, verified.OwnerId!.Value, verified.Mode!.Value, verified.Policy!, verified.Decision!), VerifyRoute,
                verified.IsValid ? StatusCodes.Status200OK : StatusCodes.Status429TooManyRequests, started, timer, bytesOut: 0, credits: 0);
        }

        return new VerifyResponse(
            verified.IsValid,
            ToWire(verified.Code),
            verified.KeyId?.Value,
            verified.OwnerId?.Value,
            verified.Mode?.ToWire(),
            verified.Tier?.ToString().ToLowerInvariant(),
            verified.Decision is { } d ? new VerifyRateLimit(d.Limit, d.Remaining, d.ResetSeconds) : null);
    }

    /// <summary>
    /// Runs a buffered route and sends its answer here (not after the endpoint returns), so the bytes sent are known when
    /// the call is metered.
    /// </summary>
    private static async Task<IResult> CountingBytesAsync(HttpContext context, Func<HttpContext, Task<IResult>> route)
    {
        var meter = new DeferredMeter();
        context.Items[DeferredMeter.Key] = meter;
        var result = await route(context);
        var original = context.Response.Body;
        var counting = new CountingStream(original);
        context.Response.Body = counting;
        try
        {
            await result.ExecuteAsync(context);
        }
        finally
        {
            context.Response.Body = original;
            meter.Flush(counting.BytesWritten);
        }

        return Results.Empty;
    }

    private async Task<Caller> AuthenticateAsync(HttpContext context, bool streams)
    {
        var header = context.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (header.Length <= scheme.Length || !header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) || header.AsSpan(scheme.Length).Trim().IsEmpty)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            throw DeveloperProblemException.KeyMissing();
        }

        var verified = await mediator.Send(new VerifyApiKeyQuery(header[scheme.Length..].Trim()), context.RequestAborted);
        switch (verified.Code)
        {
            case VerifyCode.Malformed:
                context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
                throw DeveloperProblemException.KeyMalformed();
            case VerifyCode.NotFound or VerifyCode.Revoked or VerifyCode.Expired:
                context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
                throw DeveloperProblemException.KeyInvalid();
            default:
                break;
        }

        RateLimitHeaders.Apply(context.Response, verified.Policy!, verified.Decision!, streams);
        return new Caller(verified.KeyId!.Value, verified.OwnerId!.Value, verified.Mode!.Value, verified.Policy!, verified.Decision!);
    }

    /// <summary>The Flash of the key's mode: test keys without a sandbox are 403, a service without a live Flash 503.</summary>
    private FlashTarget FlashFor(Caller caller) =>
        flash.For(caller.Mode) ?? throw (caller.Mode == ApiKeyMode.Test
            ? DeveloperProblemException.TestModeUnavailable()
            : DeveloperProblemException.LiveUnavailable());

    /// <summary>The key is good but its owner is over the limit: 429 (the headers, Retry-After included, are already set).</summary>
    private static void Admit(Caller caller)
    {
        if (!caller.Decision.Allowed)
        {
            throw DeveloperProblemException.RateLimited(
                $"Your tier allows {caller.Policy.RequestsPerMinute} requests per minute; retry after {caller.Decision.RetryAfterSeconds} s.");
        }
    }

    private static async Task<(JsonElement Body, byte[] Raw)> ReadBodyAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var raw = buffer.ToArray();
        JsonElement body;
        try
        {
            using var document = JsonDocument.Parse(raw);
            body = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new BadHttpRequestException("The body is not valid JSON.", StatusCodes.Status400BadRequest, new JsonException());
        }

        return body.ValueKind == JsonValueKind.Object ? (body, raw) : throw DeveloperProblemException.BodyNotObject();
    }

    private static IdempotencyScope? IdempotencyScopeOf(HttpContext context, Caller caller)
    {
        if (!context.Request.Headers.TryGetValue(IdempotencyKeyHeader, out var values))
        {
            return null;
        }

        var key = values.ToString();
        if (values.Count != 1 || key.Length is 0 or > 255 || key.Any(c => c is < (char)0x21 or > (char)0x7E))
        {
            throw DeveloperProblemException.IdempotencyKeyInvalid();
        }

        return new IdempotencyScope(caller.Owner, caller.Mode, key);
    }

    /// <summary>Executes an answer into memory, so it can be stored for replay and then sent.</summary>
    private static async Task<StoredAnswer> RenderAsync(HttpContext context, IResult answer)
    {
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await answer.ExecuteAsync(context);
        }
        finally
        {
            context.Response.Body = original;
        }

        return new StoredAnswer(context.Response.StatusCode, context.Response.ContentType ?? "application/json", buffer.ToArray());
    }

    private static string? PresetOf(JsonElement body) =>
        body.TryGetProperty("preset", out var preset) && preset.ValueKind == JsonValueKind.String ? preset.GetString() : null;

    private static int StatusOf(IResult result) => result is IStatusCodeHttpResult { StatusCode: { } status } ? status : StatusCodes.Status200OK;

    private void Meter(HttpContext context, Caller? caller, string route, int status, DateTimeOffset started, long timer, long? bytesOut, int credits)
    {
        // Calls without a usable key belong to nobody: there is no owner to meter them against.
        if (caller is null || usage is null)
        {
            return;
        }

        if (bytesOut is null && context.Items[DeferredMeter.Key] is DeferredMeter deferred)
        {
            // The answer is not sent yet: record once its size is known.
            var elapsed = Stopwatch.GetElapsedTime(timer);
            deferred.Pending = bytes => usage.Record(new UsageEvent(
                Guid.CreateVersion7().ToString("N"), caller.KeyId.Value, caller.Owner.Value, route, status, started, elapsed, bytes,
                status is >= 200 and < 300 ? credits : 0, status == StatusCodes.Status429TooManyRequests));
            return;
        }

        usage.Record(new UsageEvent(
            Guid.CreateVersion7().ToString("N"),
            caller.KeyId.Value,
            caller.Owner.Value,
            route,
            status,
            started,
            Stopwatch.GetElapsedTime(timer),
            bytesOut ?? context.Response.ContentLength ?? 0,
            status is >= 200 and < 300 ? credits : 0,
            status == StatusCodes.Status429TooManyRequests));
    }

    private static string ToWire(VerifyCode code) => code switch
    {
        VerifyCode.Valid => "VALID",
        VerifyCode.Malformed => "MALFORMED",
        VerifyCode.NotFound => "NOT_FOUND",
        VerifyCode.Revoked => "REVOKED",
        VerifyCode.Expired => "EXPIRED",
        _ => "RATE_LIMITED",
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Relay {Route} answered {Status} after {ExceptionType}")]
    private static partial void LogRelayRefused(ILogger logger, string route, int status, string exceptionType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Relayed stream ended early ({ExceptionType})")]
    private static partial void LogStreamEnded(ILogger logger, string exceptionType);

    private sealed record Caller(ApiKeyId KeyId, UserId Owner, ApiKeyMode Mode, RateLimitPolicy Policy, RateLimitDecision Decision);
}

/// <summary>Sends a stored (or just rendered) answer as is: status, content type and bytes.</summary>
internal sealed class StoredAnswerResult(StoredAnswer answer) : IResult, IStatusCodeHttpResult
{
    public int? StatusCode => answer.Status;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = answer.Status;
        httpContext.Response.ContentType = answer.ContentType;
        httpContext.Response.ContentLength = answer.Body.Length;
        await httpContext.Response.Body.WriteAsync(answer.Body, httpContext.RequestAborted);
    }
}

/// <summary>A usage event waiting for the size of the answer it meters.</summary>
internal sealed class DeferredMeter
{
    public const string Key = "billing.deferred_meter";

    public Action<long>? Pending { get; set; }

    public void Flush(long bytesOut) => Pending?.Invoke(bytesOut);
}

internal sealed record BalanceResponse(int Balance, int LifetimeEarned, int LifetimeSpent, string Mode);

internal sealed record VerifyResponse(bool Valid, string Code, string? KeyId, string? UserId, string? Mode, string? Tier, VerifyRateLimit? Ratelimit);

internal sealed record VerifyRateLimit(int Limit, int Remaining, int ResetSeconds);
