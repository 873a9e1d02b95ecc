using System.Diagnostics;
using System.Globalization;
using System.Net;
using Billing.Application.Abstractions.Stripe;
using Microsoft.Extensions.Logging;
using Stripe;
using Stripe.Checkout;
using PortalSessionCreateOptions = Stripe.BillingPortal.SessionCreateOptions;
using PortalSessionService = Stripe.BillingPortal.SessionService;

namespace Billing.Infrastructure.Stripe;

/// <summary>
/// The Stripe port over the official SDK (Stripe.net): it encodes the requests, sends them with the SDK's pinned
/// <c>Stripe-Version</c> and decodes the answers; <see cref="StripeSdkMapping"/> turns its objects into our records, so
/// no SDK type leaves Infrastructure. The retry policy is ours, because it is a money rule: connection failures,
/// per-attempt timeouts, 409, 429 and 5xx are retried, overridden by <c>Stripe-Should-Retry</c>, and every attempt of one
/// call carries the caller's idempotency key (derived from our own ids), so Stripe executes a create at most once.
/// </summary>
internal sealed partial class StripeSdkClient : Billing.Application.Abstractions.Stripe.IStripeClient
{
    private const string ShouldRetryHeader = "Stripe-Should-Retry";
    private const int MaxIdempotencyKeyLength = 255;

    private readonly StripeClient _client;
    private readonly StripeOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<StripeSdkClient> _logger;

    public StripeSdkClient(HttpClient httpClient, StripeOptions options, TimeProvider timeProvider, ILogger<StripeSdkClient> logger)
    {
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;

        // The SDK's own retries are off (maxNetworkRetries: 0): ours below also retry 429 and honour our per-attempt timeout.
        _client = new StripeClient(
            options.SecretKey,
            httpClient: new SystemNetHttpClient(httpClient, maxNetworkRetries: 0, appInfo: new AppInfo { Name = "timepoint-billing", Version = "1.0" }, enableTelemetry: false),
            apiBase: options.ApiBase.GetLeftPart(UriPartial.Authority));
    }

    public Task<StripeCustomer> CreateCustomerAsync(
        StripeCustomerCreate options, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var create = new CustomerCreateOptions
        {
            Email = options.Email,
            Name = options.Name,
            Metadata = NonEmpty(options.Metadata),
        };
        return PostAsync("POST /v1/customers", idempotencyKey, (request, ct) => new CustomerService(_client).CreateAsync(create, request, ct), StripeSdkMapping.Customer, cancellationToken);
    }

    public Task<StripeCheckoutSession> CreateCheckoutSessionAsync(
        StripeCheckoutSessionCreate options, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        var create = StripeCheckoutSessionOptions.Build(options);
        return PostAsync("POST /v1/checkout/sessions", idempotencyKey, (request, ct) => new SessionService(_client).CreateAsync(create, request, ct), StripeSdkMapping.CheckoutSession, cancellationToken);
    }

    public Task<StripeCheckoutSession> GetCheckoutSessionAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        // line_items is includable: its prices say which tier a subscription checkout created them for.
        var get = new SessionGetOptions { Expand = ["line_items"] };
        return GetAsync("GET /v1/checkout/sessions", (request, ct) => new SessionService(_client).GetAsync(sessionId, get, request, ct), StripeSdkMapping.CheckoutSession, cancellationToken);
    }

    public Task<StripePortalSession> CreatePortalSessionAsync(
        string customerId, string? returnUrl, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(customerId);
        var create = new PortalSessionCreateOptions { Customer = customerId, ReturnUrl = returnUrl };
        return PostAsync("POST /v1/billing_portal/sessions", idempotencyKey, (request, ct) => new PortalSessionService(_client).CreateAsync(create, request, ct), StripeSdkMapping.PortalSession, cancellationToken);
    }

    public Task<StripeSubscription> GetSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subscriptionId);
        return GetAsync("GET /v1/subscriptions", (request, ct) => new SubscriptionService(_client).GetAsync(subscriptionId, null, request, ct), StripeSdkMapping.Subscription, cancellationToken);
    }

    public Task<StripeInvoice> GetInvoiceAsync(string invoiceId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(invoiceId);
        return GetAsync("GET /v1/invoices", (request, ct) => new InvoiceService(_client).GetAsync(invoiceId, null, request, ct), StripeSdkMapping.Invoice, cancellationToken);
    }

    public Task<StripeCharge> GetChargeAsync(string chargeId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(chargeId);

        // refunds is includable: absent unless expanded.
        var get = new ChargeGetOptions { Expand = ["refunds"] };
        return GetAsync("GET /v1/charges", (request, ct) => new ChargeService(_client).GetAsync(chargeId, get, request, ct), StripeSdkMapping.Charge, cancellationToken);
    }

    public Task<StripeDispute> GetDisputeAsync(string disputeId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(disputeId);
        return GetAsync("GET /v1/disputes", (request, ct) => new DisputeService(_client).GetAsync(disputeId, null, request, ct), StripeSdkMapping.Dispute, cancellationToken);
    }

    private static Dictionary<string, string>? NonEmpty(IReadOnlyDictionary<string, string>? map) =>
        map is { Count: > 0 } ? map.ToDictionary(StringComparer.Ordinal) : null;

    private Task<TResult> PostAsync<TEntity, TResult>(
        string operation,
        string idempotencyKey,
        Func<RequestOptions, CancellationToken, Task<TEntity>> call,
        Func<TEntity, TResult> map,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(idempotencyKey);
        if (idempotencyKey.Length > MaxIdempotencyKeyLength)
        {
            throw new ArgumentException($"Stripe idempotency keys are at most {MaxIdempotencyKeyLength} characters.", nameof(idempotencyKey));
        }

        return SendAsync(operation, new RequestOptions { IdempotencyKey = idempotencyKey }, call, map, cancellationToken);
    }

    private Task<TResult> GetAsync<TEntity, TResult>(
        string operation, Func<RequestOptions, CancellationToken, Task<TEntity>> call, Func<TEntity, TResult> map, CancellationToken cancellationToken) =>
        SendAsync(operation, new RequestOptions(), call, map, cancellationToken);

    private async Task<TResult> SendAsync<TEntity, TResult>(
        string operation,
        RequestOptions requestOptions,
        Func<RequestOptions, CancellationToken, Task<TEntity>> call,
        Func<TEntity, TResult> map,
        CancellationToken cancellationToken)
    {
        var maxAttempts = _options.MaxRetries + 1;
        Exception? lastFailure = null;

        for (var attempt = 1; attempt <= maxAttempts; attempt++)
        {
            bool shouldRetry;
            HttpStatusCode? failedStatus = null;
            using (var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                attemptTimeout.CancelAfter(_options.RequestTimeout);
                try
                {
                    // The same RequestOptions (and so the same Idempotency-Key) on every attempt of this call.
                    var entity = await call(requestOptions, attemptTimeout.Token);
                    return Map(entity, map, operation, attempt);
                }
                catch (Exception exception) when (IsUnreadableSuccess(exception))
                {
                    LogUnreadableResponse(operation);
                    throw new StripeUnavailableException($"Stripe answered {operation} with a body that could not be read.", attempt, exception);
                }
                catch (global::Stripe.StripeException exception) when ((int)exception.HttpStatusCode >= 300)
                {
                    var error = ToApiException(exception);
                    lastFailure = error;
                    failedStatus = error.StatusCode;
                    shouldRetry = ShouldRetry(error.StatusCode, error.ShouldRetryHeader);
                    if (!shouldRetry)
                    {
                        LogStripeError(operation, (int)error.StatusCode, error.Type, error.Code, error.RequestId);
                        throw error.IsTransient
                            ? new StripeUnavailableException($"Stripe failed {operation} with {(int)error.StatusCode} and asked not to retry.", attempt, error)
                            : error;
                    }
                }
                catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
                {
                    // Our per-attempt timeout fired, not the caller's token.
                    lastFailure = new TimeoutException($"Stripe did not answer {operation} within {_options.RequestTimeout}.", exception);
                    shouldRetry = true;
                }
                catch (HttpRequestException exception)
                {
                    lastFailure = exception;
                    shouldRetry = true;
                }
                catch (global::Stripe.StripeException exception)
                {
                    // No HTTP status: the SDK could not send the request or read the answer.
                    lastFailure = exception;
                    shouldRetry = true;
                }
            }

            if (attempt == maxAttempts)
            {
                break;
            }

            var delay = RetryDelay(attempt);
            LogRetrying(operation, attempt, failedStatus is null ? "no response" : ((int)failedStatus).ToString(CultureInfo.InvariantCulture), (long)delay.TotalMilliseconds);
            await Task.Delay(delay, _timeProvider, cancellationToken);
        }

        Debug.Assert(lastFailure is not null, "The loop only exits after a failure.");
        if (lastFailure is StripeApiException { IsTransient: false } rejected)
        {
            // Retried only because Stripe said so; the final answer is still Stripe's rejection.
            throw rejected;
        }

        LogStripeUnavailable(operation, maxAttempts);
        throw new StripeUnavailableException($"Stripe {operation} failed after {maxAttempts} attempt(s).", maxAttempts, lastFailure);
    }

    private TResult Map<TEntity, TResult>(TEntity entity, Func<TEntity, TResult> map, string operation, int attempt)
    {
        try
        {
            return map(entity);
        }
        catch (StripeObjectFormatException exception)
        {
            LogUnreadableResponse(operation);
            throw new StripeUnavailableException($"Stripe answered {operation} with an object that could not be read.", attempt, exception);
        }
    }

    private static bool IsUnreadableSuccess(Exception exception) =>
        exception is System.Text.Json.JsonException or Newtonsoft.Json.JsonException
        || (exception is global::Stripe.StripeException stripe && (int)stripe.HttpStatusCode is >= 200 and < 300);

    private static StripeApiException ToApiException(global::Stripe.StripeException exception)
    {
        var response = exception.StripeResponse;
        bool? shouldRetry = null;
        if (response?.Headers is { } headers && headers.TryGetValues(ShouldRetryHeader, out var values))
        {
            shouldRetry = values.FirstOrDefault()?.Trim().ToUpperInvariant() switch
            {
                "TRUE" => true,
                "FALSE" => false,
                _ => null,
            };
        }

        var error = exception.StripeError;
        return new StripeApiException(
            exception.HttpStatusCode,
            error?.Type,
            error?.Code,
            error?.DeclineCode,
            error?.Param,
            error?.Message,
            response?.RequestId,
            shouldRetry);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe {Operation} attempt {Attempt} failed ({Status}); retrying in {DelayMs} ms")]
    private partial void LogRetrying(string operation, int attempt, string status, long delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe {Operation} returned {Status} ({ErrorType}, {ErrorCode}), request {RequestId}")]
    private partial void LogStripeError(string operation, int status, string? errorType, string? errorCode, string? requestId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stripe {Operation} unavailable after {Attempts} attempt(s)")]
    private partial void LogStripeUnavailable(string operation, int attempts);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stripe {Operation} returned an object that could not be read")]
    private partial void LogUnreadableResponse(string operation);
}
