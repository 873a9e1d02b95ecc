using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Billing.Application.Abstractions.Stripe;
using Microsoft.Extensions.Logging;

namespace Billing.Infrastructure.Stripe;

/// <summary>
/// Hand-written adapter over Stripe's REST API (Stripe.net is not available here). Retries like the official SDKs:
/// connection failures, per-attempt timeouts, 409, 429 and 5xx, overridden by <c>Stripe-Should-Retry</c>; every
/// attempt of one call carries the caller's <c>Idempotency-Key</c> so Stripe executes a POST at most once.
/// </summary>
internal sealed partial class StripeRestClient : IStripeClient
{
    private const string IdempotencyKeyHeader = "Idempotency-Key";
    private const string StripeVersionHeader = "Stripe-Version";
    private const string ShouldRetryHeader = "Stripe-Should-Retry";
    private const string RequestIdHeader = "Request-Id";
    private const int MaxIdempotencyKeyLength = 255;

    private static readonly MediaTypeHeaderValue FormContentType = new("application/x-www-form-urlencoded");
    private static readonly ProductInfoHeaderValue UserAgent = new("timepoint-billing", "1.0");

    private readonly HttpClient _httpClient;
    private readonly StripeOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<StripeRestClient> _logger;

    public StripeRestClient(
        HttpClient httpClient, StripeOptions options, TimeProvider timeProvider, ILogger<StripeRestClient> logger)
    {
        _httpClient = httpClient;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public Task<StripeCustomer> CreateCustomerAsync(
        StripeCustomerCreate options, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        List<KeyValuePair<string, object?>> form =
        [
            new("email", options.Email),
            new("name", options.Name),
            new("metadata", NonEmpty(options.Metadata)),
        ];
        return PostAsync("/v1/customers", form, idempotencyKey, StripeCustomer.FromJson, cancellationToken);
    }

    public Task<StripeCheckoutSession> CreateCheckoutSessionAsync(
        StripeCheckoutSessionCreate options, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        var form = StripeCheckoutSessionForm.Build(options);
        return PostAsync("/v1/checkout/sessions", form, idempotencyKey, StripeCheckoutSession.FromJson, cancellationToken);
    }

    public Task<StripeCheckoutSession> GetCheckoutSessionAsync(
        string sessionId, CancellationToken cancellationToken = default) =>
        // line_items is includable: its prices say which tier a subscription checkout created them for.
        GetAsync(ObjectPath("/v1/checkout/sessions/", sessionId), [new("expand", new StripeFormUnindexedList(["line_items"]))], StripeCheckoutSession.FromJson, cancellationToken);

    public Task<StripeCheckoutSession> UpdateCheckoutSessionMetadataAsync(
        string sessionId,
        IReadOnlyDictionary<string, string> metadata,
        string idempotencyKey,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (metadata.Count == 0)
        {
            // An empty map would encode as "metadata=", which Stripe reads as "delete every key".
            throw new ArgumentException("At least one metadata key is required.", nameof(metadata));
        }

        List<KeyValuePair<string, object?>> form = [new("metadata", metadata)];
        return PostAsync(
            ObjectPath("/v1/checkout/sessions/", sessionId), form, idempotencyKey, StripeCheckoutSession.FromJson, cancellationToken);
    }

    public Task<StripePortalSession> CreatePortalSessionAsync(
        string customerId, string? returnUrl, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(customerId);
        List<KeyValuePair<string, object?>> form = [new("customer", customerId), new("return_url", returnUrl)];
        return PostAsync("/v1/billing_portal/sessions", form, idempotencyKey, StripePortalSession.FromJson, cancellationToken);
    }

    public Task<StripeSubscription> GetSubscriptionAsync(
        string subscriptionId, CancellationToken cancellationToken = default) =>
        GetAsync(ObjectPath("/v1/subscriptions/", subscriptionId), query: null, StripeSubscription.FromJson, cancellationToken);

    public Task<StripeInvoice> GetInvoiceAsync(string invoiceId, CancellationToken cancellationToken = default) =>
        GetAsync(ObjectPath("/v1/invoices/", invoiceId), query: null, StripeInvoice.FromJson, cancellationToken);

    public Task<StripeCharge> GetChargeAsync(string chargeId, CancellationToken cancellationToken = default)
    {
        // refunds is includable: absent unless expanded.
        List<KeyValuePair<string, object?>> query = [new("expand", new StripeFormUnindexedList(["refunds"]))];
        return GetAsync(ObjectPath("/v1/charges/", chargeId), query, StripeCharge.FromJson, cancellationToken);
    }

    public Task<StripeDispute> GetDisputeAsync(string disputeId, CancellationToken cancellationToken = default) =>
        GetAsync(ObjectPath("/v1/disputes/", disputeId), query: null, StripeDispute.FromJson, cancellationToken);

    public Task<StripeEventEnvelope> GetEventAsync(string eventId, CancellationToken cancellationToken = default) =>
        GetAsync(ObjectPath("/v1/events/", eventId), query: null, StripeEventEnvelope.FromJson, cancellationToken);

    private static IReadOnlyDictionary<string, string>? NonEmpty(IReadOnlyDictionary<string, string>? map) =>
        map is { Count: > 0 } ? map : null;

    private static string ObjectPath(string prefix, string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        return prefix + Uri.EscapeDataString(id);
    }

    private Task<T> PostAsync<T>(
        string path,
        IEnumerable<KeyValuePair<string, object?>> form,
        string idempotencyKey,
        Func<JsonElement, T> decode,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(idempotencyKey);
        if (idempotencyKey.Length > MaxIdempotencyKeyLength)
        {
            throw new ArgumentException(
                $"Stripe idempotency keys are at most {MaxIdempotencyKeyLength} characters.", nameof(idempotencyKey));
        }

        var body = StripeFormEncoder.Encode(form);
        return SendAsync(HttpMethod.Post, path, body, idempotencyKey, decode, cancellationToken);
    }

    private Task<T> GetAsync<T>(
        string path,
        IEnumerable<KeyValuePair<string, object?>>? query,
        Func<JsonElement, T> decode,
        CancellationToken cancellationToken)
    {
        var pathAndQuery = query is null ? path : $"{path}?{StripeFormEncoder.Encode(query)}";
        return SendAsync(HttpMethod.Get, pathAndQuery, body: null, idempotencyKey: null, decode, cancellationToken);
    }

    private async Task<T> SendAsync<T>(
        HttpMethod method,
        string pathAndQuery,
        string? body,
        string? idempotencyKey,
        Func<JsonElement, T> decode,
        CancellationToken cancellationToken)
    {
        var uri = new Uri(_options.ApiBase, pathAndQuery);
        var logPath = pathAndQuery.Split('?', 2)[0];
        var maxAttempts = _options.MaxRetries + 1;
        Exception? lastFailure = null;

        for (var attempt = 1; attempt <= maxAttempts; attempt++)
        {
            bool shouldRetry;
            HttpStatusCode? failedStatus = null;

            // A request message cannot be sent twice: rebuild it per attempt, same headers and key.
            using (var request = BuildRequest(method, uri, body, idempotencyKey))
            using (var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                attemptTimeout.CancelAfter(_options.RequestTimeout);
                try
                {
                    using var response = await _httpClient
                        .SendAsync(request, HttpCompletionOption.ResponseContentRead, attemptTimeout.Token);
                    var content = await response.Content.ReadAsByteArrayAsync(attemptTimeout.Token);

                    if (response.IsSuccessStatusCode)
                    {
                        return Decode(content, decode, method, logPath, attempt);
                    }

                    var error = ParseError(response, content);
                    lastFailure = error;
                    failedStatus = response.StatusCode;
                    shouldRetry = ShouldRetry(response.StatusCode, error.ShouldRetryHeader);
                    if (!shouldRetry)
                    {
                        LogStripeError(method.Method, logPath, (int)response.StatusCode, error.Type, error.Code, error.RequestId);
                        throw error.IsTransient
                            ? new StripeUnavailableException(
                                $"Stripe failed {method.Method} {logPath} with {(int)response.StatusCode} and asked not to retry.",
                                attempt,
                                error)
                            : error;
                    }
                }
                catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
                {
                    // Our per-attempt timeout fired, not the caller's token.
                    lastFailure = new TimeoutException(
                        $"Stripe did not answer {method.Method} {logPath} within {_options.RequestTimeout}.", exception);
                    shouldRetry = true;
                }
                catch (HttpRequestException exception)
                {
                    lastFailure = exception;
                    shouldRetry = true;
                }
            }

            if (attempt == maxAttempts)
            {
                break;
            }

            var delay = RetryDelay(attempt);
            LogRetrying(method.Method, logPath, attempt, failedStatus is null ? "no response" : ((int)failedStatus).ToString(System.Globalization.CultureInfo.InvariantCulture), (long)delay.TotalMilliseconds);
            await Task.Delay(delay, _timeProvider, cancellationToken);
        }

        Debug.Assert(lastFailure is not null, "The loop only exits after a failure.");
        if (lastFailure is StripeApiException { IsTransient: false } rejected)
        {
            // Retried only because Stripe said so; the final answer is still Stripe's rejection.
            throw rejected;
        }

        LogStripeUnavailable(method.Method, logPath, maxAttempts);
        throw new StripeUnavailableException(
            $"Stripe {method.Method} {logPath} failed after {maxAttempts} attempt(s).", maxAttempts, lastFailure);
    }

    private HttpRequestMessage BuildRequest(HttpMethod method, Uri uri, string? body, string? idempotencyKey)
    {
        var request = new HttpRequestMessage(method, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.SecretKey);
        request.Headers.TryAddWithoutValidation(StripeVersionHeader, _options.ApiVersion);
        request.Headers.UserAgent.Add(UserAgent);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation(IdempotencyKeyHeader, idempotencyKey);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = FormContentType;
        }

        return request;
    }

    /// <summary>The official SDKs' rule, plus 429 (Stripe's docs recommend backing off on it).</summary>
    private static bool ShouldRetry(HttpStatusCode status, bool? shouldRetryHeader) =>
        shouldRetryHeader
        ?? (status == HttpStatusCode.Conflict
            || status == HttpStatusCode.TooManyRequests
            || (int)status >= 500);

    private TimeSpan RetryDelay(int failedAttempt)
    {
        var exponential = _options.InitialRetryDelay * Math.Pow(2, failedAttempt - 1);
        var capped = exponential > _options.MaxRetryDelay ? _options.MaxRetryDelay : exponential;

        // Jitter to 75–100 % so clients that failed together do not retry together.
        var jittered = capped * (0.75 + (Random.Shared.NextDouble() * 0.25));
        return jittered < _options.InitialRetryDelay ? _options.InitialRetryDelay : jittered;
    }

    private T Decode<T>(byte[] content, Func<JsonElement, T> decode, HttpMethod method, string logPath, int attempt)
    {
        try
        {
            using var document = JsonDocument.Parse(content);
            return decode(document.RootElement);
        }
        catch (Exception exception) when (exception is JsonException or StripeObjectFormatException)
        {
            LogUnreadableResponse(method.Method, logPath);
            throw new StripeUnavailableException(
                $"Stripe answered {method.Method} {logPath} with a body that could not be read.", attempt, exception);
        }
    }

    private static StripeApiException ParseError(HttpResponseMessage response, byte[] content)
    {
        var requestId = response.Headers.TryGetValues(RequestIdHeader, out var ids) ? ids.FirstOrDefault() : null;
        bool? shouldRetry = null;
        if (response.Headers.TryGetValues(ShouldRetryHeader, out var values))
        {
            shouldRetry = values.FirstOrDefault()?.Trim().ToUpperInvariant() switch
            {
                "TRUE" => true,
                "FALSE" => false,
                _ => null,
            };
        }

        string? type = null, code = null, declineCode = null, param = null, message = null;
        try
        {
            using var document = JsonDocument.Parse(content);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error))
            {
                if (error.ValueKind == JsonValueKind.Object)
                {
                    type = ReadString(error, "type");
                    code = ReadString(error, "code");
                    declineCode = ReadString(error, "decline_code");
                    param = ReadString(error, "param");
                    message = ReadString(error, "message");
                }
                else if (error.ValueKind == JsonValueKind.String)
                {
                    // OAuth-style errors: {"error": "invalid_grant", "error_description": "…"}.
                    code = error.GetString();
                    message = ReadString(document.RootElement, "error_description");
                }
            }
        }
        catch (JsonException)
        {
            // Not Stripe's JSON (e.g. a proxy's HTML error page): keep status and headers only.
        }

        return new StripeApiException(response.StatusCode, type, code, declineCode, param, message, requestId, shouldRetry);
    }

    private static string? ReadString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe {Method} {Path} attempt {Attempt} failed ({Status}); retrying in {DelayMs} ms")]
    private partial void LogRetrying(string method, string path, int attempt, string status, long delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe {Method} {Path} returned {Status} ({ErrorType}, {ErrorCode}), request {RequestId}")]
    private partial void LogStripeError(string method, string path, int status, string? errorType, string? errorCode, string? requestId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stripe {Method} {Path} unavailable after {Attempts} attempt(s)")]
    private partial void LogStripeUnavailable(string method, string path, int attempts);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stripe {Method} {Path} returned an unreadable success body")]
    private partial void LogUnreadableResponse(string method, string path);
}
