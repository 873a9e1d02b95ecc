using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Billing.Application.Abstractions.Flash;
using Microsoft.Extensions.Logging;

namespace Billing.Infrastructure.Flash;

/// <summary>
/// HTTP adapter for Flash (contract: docs/reference/flash-contract.md). Identity: with a signing secret every request is
/// gateway-signed and <c>X-User-Id</c> only travels signed; without one, the legacy <c>X-Service-Key</c> + <c>X-User-ID</c> pair is sent.
/// Keys still go where routes check them: <c>X-Service-Key</c> on resolve, <c>X-Admin-Key</c> (+ <c>X-Service-Key</c>) on the admin grant.
/// </summary>
internal sealed partial class FlashHttpClient : IFlashClient
{
    public const string ServiceKeyHeader = "X-Service-Key";
    public const string AdminKeyHeader = "X-Admin-Key";
    public const string LegacyUserIdHeader = "X-User-ID";
    public const string RequestIdHeader = "X-Request-ID";

    private const string ResolvePath = "api/v1/users/resolve";
    private const string AdminGrantPath = "api/v1/credits/admin/grant";
    private const string BalancePath = "api/v1/credits/balance";
    private const string CostsPath = "api/v1/credits/costs";
    private const string HistoryPath = "api/v1/credits/history";
    private const string GenerateSyncPath = "api/v1/timepoints/generate/sync";
    private const string GenerateStreamPath = "api/v1/timepoints/generate/stream";
    private const int StreamBufferSize = 8 * 1024;

    private readonly HttpClient _http;
    private readonly FlashOptions _options;
    private readonly Uri _baseUrl;
    private readonly FlashResiliencePipelines _pipelines;
    private readonly GatewayRequestSigner? _signer;
    private readonly ILogger<FlashHttpClient> _logger;

    public FlashHttpClient(
        HttpClient http,
        FlashOptions options,
        FlashResiliencePipelines pipelines,
        TimeProvider timeProvider,
        ILogger<FlashHttpClient> logger)
    {
        _http = http;
        _options = options;
        _baseUrl = options.RequireBaseUrl();
        _pipelines = pipelines;
        _logger = logger;
        _signer = options.IsSigned ? new GatewayRequestSigner(options.GatewaySigningSecret!, timeProvider) : null;
    }

    public bool CanReadHistory => _signer is not null;

    public async Task<FlashResolvedUser> ResolveUserAsync(string externalId, string? email, string? displayName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(externalId);
        var payload = FlashJson.Serialize(new ResolveUserRequest(externalId, email, displayName));

        // Find-or-create keyed on external_id, so a retry after an unanswered attempt cannot create a second user.
        var response = await ReadAsync(
            "resolve user",
            () => CreateRequest(HttpMethod.Post, ResolvePath, new SendTrackingContent(payload), userId: null, sendServiceKey: true, sendAdminKey: false),
            cancellationToken);
        var parsed = FlashJson.TryDeserialize<ResolveUserResponse>(response.Body);
        if (parsed?.UserId is not { Length: > 0 } userId)
        {
            throw Unreadable(response);
        }

        return new FlashResolvedUser(userId, parsed.Created ?? false);
    }

    public async Task<FlashGrantOutcome> GrantCreditsAsync(FlashGrant grant, CancellationToken cancellationToken)
    {
        ValidateGrant(grant);
        if (string.IsNullOrEmpty(_options.AdminKey))
        {
            return new FlashGrantOutcome.NotSent($"{FlashOptions.AdminKeyKey} is not configured; the grant was not sent.");
        }

        var content = new SendTrackingContent(
            FlashJson.Serialize(new AdminGrantRequest(grant.UserId, grant.Amount, grant.TransactionType, grant.Description)));
        FlashGrantOutcome outcome;
        try
        {
            // Exactly one attempt: the admin grant has no idempotency key, so a retry could double the credits.
            var response = await _pipelines.Write.ExecuteAsync(
                async token =>
                {
                    using var request = CreateRequest(HttpMethod.Post, AdminGrantPath, content, userId: null, sendServiceKey: true, sendAdminKey: true);
                    return await SendBufferedAsync(request, token);
                },
                cancellationToken);
            outcome = ClassifyGrantResponse(response, grant.Amount);
        }
        catch (Exception exception) when (FlashSendClassifier.IsSendFailure(exception))
        {
            var notSentReason = FlashSendClassifier.ReasonNotSent(exception, content.SerializationStarted, cancellationToken);
            outcome = notSentReason is not null
                ? new FlashGrantOutcome.NotSent(notSentReason)
                : new FlashGrantOutcome.Ambiguous(FlashSendClassifier.DescribeAmbiguousFailure(exception, cancellationToken));
        }
        finally
        {
            content.Dispose();
        }

        LogGrantOutcome(_logger, grant.UserId, grant.Amount, grant.TransactionType, outcome.GetType().Name);
        return outcome;
    }

    public async Task<FlashBalance> GetBalanceAsync(string userId, CancellationToken cancellationToken)
    {
        ValidateUserId(userId);
        var response = await ReadAsync(
            "read balance",
            () => CreateRequest(HttpMethod.Get, BalancePath, content: null, userId, sendServiceKey: false, sendAdminKey: false),
            cancellationToken);
        var parsed = FlashJson.TryDeserialize<BalanceResponse>(response.Body);
        if (parsed?.Balance is not { } balance)
        {
            throw Unreadable(response);
        }

        return new FlashBalance(balance, parsed.LifetimeEarned ?? 0, parsed.LifetimeSpent ?? 0);
    }

    public async Task<IReadOnlyDictionary<string, JsonElement>> GetCostsAsync(CancellationToken cancellationToken)
    {
        var response = await ReadAsync(
            "read costs",
            () => CreateRequest(HttpMethod.Get, CostsPath, content: null, userId: null, sendServiceKey: false, sendAdminKey: false),
            cancellationToken);
        var root = FlashJson.TryParseElement(response.Body);
        if (root is not { ValueKind: JsonValueKind.Object } rootObject
            || !rootObject.TryGetProperty("costs", out var costs)
            || costs.ValueKind != JsonValueKind.Object)
        {
            throw Unreadable(response);
        }

        // Open-ended on purpose: the key set differs between Flash versions (contract §5).
        var map = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in costs.EnumerateObject())
        {
            map[property.Name] = property.Value.Clone();
        }

        return map;
    }

    public async Task<IReadOnlyList<FlashLedgerEntry>> GetHistoryAsync(string userId, int limit, int offset, CancellationToken cancellationToken)
    {
        ValidateUserId(userId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 100);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var path = string.Create(CultureInfo.InvariantCulture, $"{HistoryPath}?limit={limit}&offset={offset}");
        var response = await ReadAsync(
            "read history",
            () => CreateRequest(HttpMethod.Get, path, content: null, userId, sendServiceKey: false, sendAdminKey: false),
            cancellationToken);
        var rows = FlashJson.TryDeserialize<List<HistoryRow>>(response.Body);
        if (rows is null)
        {
            throw Unreadable(response);
        }

        var entries = new List<FlashLedgerEntry>(rows.Count);
        foreach (var row in rows)
        {
            if (row.Amount is not { } amount || row.Type is null || row.CreatedAt is not { } createdAt)
            {
                throw Unreadable(response);
            }

            entries.Add(new FlashLedgerEntry(amount, row.BalanceAfter ?? 0, row.Type, row.Description, createdAt));
        }

        return entries;
    }

    public async Task<JsonElement> GenerateSyncAsync(string userId, JsonElement body, CancellationToken cancellationToken)
    {
        ValidateUserId(userId);
        var payload = ToPayload(body);
        FlashHttpResponse response;
        try
        {
            // One attempt: Flash charges the user's credits for each generation.
            response = await _pipelines.Generate.ExecuteAsync(
                async token =>
                {
                    using var request = CreateRequest(HttpMethod.Post, GenerateSyncPath, new SendTrackingContent(payload), userId, sendServiceKey: false, sendAdminKey: false);
                    return await SendBufferedAsync(request, token);
                },
                cancellationToken);
        }
        catch (Exception exception) when (FlashSendClassifier.IsSendFailure(exception) && !cancellationToken.IsCancellationRequested)
        {
            throw Unavailable("generate (sync)", exception);
        }

        ThrowIfFailed(response);
        return FlashJson.TryParseElement(response.Body) ?? throw Unreadable(response);
    }

    public async Task RelayGenerateStreamAsync(string userId, JsonElement body, Stream destination, CancellationToken cancellationToken)
    {
        ValidateUserId(userId);
        ArgumentNullException.ThrowIfNull(destination);
        var payload = ToPayload(body);
        HttpResponseMessage response;
        try
        {
            // The timeout covers only getting the response headers; the body is relayed for as long as Flash streams it.
            response = await _pipelines.Generate.ExecuteAsync(
                async token =>
                {
                    using var request = CreateRequest(HttpMethod.Post, GenerateStreamPath, new SendTrackingContent(payload), userId, sendServiceKey: false, sendAdminKey: false);
                    return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
                },
                cancellationToken);
        }
        catch (Exception exception) when (FlashSendClassifier.IsSendFailure(exception) && !cancellationToken.IsCancellationRequested)
        {
            throw Unavailable("generate (stream)", exception);
        }

        // Disposing the response aborts the upstream request when we stop early (the caller went away).
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var errorBody = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                ThrowIfFailed(new FlashHttpResponse((int)response.StatusCode, errorBody));
            }

            var upstream = await response.Content.ReadAsStreamAsync(cancellationToken);
            await using (upstream)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(StreamBufferSize);
                try
                {
                    while (true)
                    {
                        int read;
                        try
                        {
                            read = await upstream.ReadAsync(buffer.AsMemory(0, StreamBufferSize), cancellationToken);
                        }
                        catch (Exception exception) when (exception is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
                        {
                            throw new FlashUnavailableException("The Flash event stream was interrupted.", innerException: exception);
                        }

                        if (read == 0)
                        {
                            break;
                        }

                        // Flush per chunk: each SSE event must reach the client as soon as Flash emits it.
                        await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                        await destination.FlushAsync(cancellationToken);
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
    }

    private async Task<FlashHttpResponse> ReadAsync(string operation, Func<HttpRequestMessage> createRequest, CancellationToken cancellationToken)
    {
        FlashHttpResponse response;
        try
        {
            response = await _pipelines.Read.ExecuteAsync(
                async token =>
                {
                    using var request = createRequest();
                    return await SendBufferedAsync(request, token);
                },
                cancellationToken);
        }
        catch (Exception exception) when (FlashSendClassifier.IsSendFailure(exception) && !cancellationToken.IsCancellationRequested)
        {
            throw Unavailable(operation, exception);
        }

        ThrowIfFailed(response);
        return response;
    }

    private async Task<FlashHttpResponse> SendBufferedAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return new FlashHttpResponse((int)response.StatusCode, body);
    }

    private HttpRequestMessage CreateRequest(HttpMethod method, string relativePath, HttpContent? content, string? userId, bool sendServiceKey, bool sendAdminKey)
    {
        var request = new HttpRequestMessage(method, new Uri(_baseUrl, relativePath)) { Content = content };
        if (_signer is not null)
        {
            // Signed mode: the user id only ever travels inside the signature; keys only where a route checks them.
            _signer.Sign(request, userId);
            if (sendServiceKey)
            {
                AddSecretHeader(request, ServiceKeyHeader, _options.ServiceKey);
            }
        }
        else
        {
            // Legacy mode (memo contract): the service key vouches for the forwarded user id.
            AddSecretHeader(request, ServiceKeyHeader, _options.ServiceKey);
            if (userId is not null)
            {
                request.Headers.TryAddWithoutValidation(LegacyUserIdHeader, userId);
            }
        }

        if (sendAdminKey)
        {
            AddSecretHeader(request, AdminKeyHeader, _options.AdminKey);
        }

        if (Activity.Current is { } activity)
        {
            request.Headers.TryAddWithoutValidation(RequestIdHeader, activity.TraceId.ToHexString());
        }

        return request;
    }

    private static void AddSecretHeader(HttpRequestMessage request, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
    }

    private static FlashGrantOutcome ClassifyGrantResponse(FlashHttpResponse response, int amount)
    {
        switch (FlashSendClassifier.ClassifyStatus(response.StatusCode))
        {
            case WriteStatusClass.Success:
                // A 200 means Flash committed; an unreadable body does not undo that.
                var parsed = FlashJson.TryDeserialize<AdminGrantResponse>(response.Body);
                return new FlashGrantOutcome.Applied(parsed?.Balance, parsed?.Granted ?? amount);
            case WriteStatusClass.Definitive:
                return new FlashGrantOutcome.Rejected(FlashError.Parse(response.StatusCode, response.BodyText));
            case WriteStatusClass.NotApplied:
                return new FlashGrantOutcome.NotSent("HTTP 429 from an intermediary (Flash itself never rate-limits); the grant was not forwarded.");
            default:
                return new FlashGrantOutcome.Ambiguous(
                    $"HTTP {response.StatusCode.ToString(CultureInfo.InvariantCulture)}; Flash may have applied the grant.",
                    response.StatusCode,
                    FlashError.Parse(response.StatusCode, response.BodyText));
        }
    }

    private static void ThrowIfFailed(FlashHttpResponse response)
    {
        if (response.IsSuccess)
        {
            return;
        }

        var error = FlashError.Parse(response.StatusCode, response.BodyText);
        if (FlashResiliencePipelines.IsTransientStatus(response.StatusCode))
        {
            throw new FlashUnavailableException($"Flash answered HTTP {response.StatusCode}: {error.Message}", response.StatusCode, error);
        }

        throw new FlashRequestException(error);
    }

    private static FlashUnavailableException Unavailable(string operation, Exception exception) => exception switch
    {
        Polly.CircuitBreaker.BrokenCircuitException => new FlashUnavailableException($"Flash circuit breaker is open; {operation} was not attempted.", innerException: exception),
        Polly.Timeout.TimeoutRejectedException => new FlashUnavailableException($"Flash did not answer {operation} in time.", innerException: exception),
        _ => new FlashUnavailableException($"Flash could not be reached for {operation}.", innerException: exception),
    };

    private static FlashRequestException Unreadable(FlashHttpResponse response) =>
        new(new FlashError(response.StatusCode, "Unreadable Flash response", FlashError.Parse(response.StatusCode, response.BodyText).Detail, []));

    private static byte[] ToPayload(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("The generation request must be a JSON object.", nameof(body));
        }

        return Encoding.UTF8.GetBytes(body.GetRawText());
    }

    private static void ValidateUserId(string userId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        if (userId.Any(char.IsControl))
        {
            throw new ArgumentException("A user id cannot contain control characters.", nameof(userId));
        }
    }

    private static void ValidateGrant(FlashGrant grant)
    {
        ArgumentNullException.ThrowIfNull(grant);
        ValidateUserId(grant.UserId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(grant.Amount);
        ArgumentNullException.ThrowIfNull(grant.Description);

        // Flash would silently record an unknown type as admin_grant; refuse it here instead.
        if (!FlashGrant.AllowedTransactionTypes.Contains(grant.TransactionType))
        {
            throw new ArgumentException($"Unknown Flash transaction type '{grant.TransactionType}'.", nameof(grant));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Flash grant of {Amount} ({TransactionType}) to user {UserId}: {Outcome}")]
    private static partial void LogGrantOutcome(ILogger logger, string userId, int amount, string transactionType, string outcome);
}
