using System.Globalization;
using System.Text.Json;
using Billing.Application.Abstractions.Flash;
using Microsoft.Extensions.Logging;

namespace Billing.Infrastructure.Flash;

/// <summary>
/// HTTP adapter for Flash's credit ledger (contract: docs/reference/flash-contract.md §2–§5): user resolution, the admin grant, balance,
/// costs and history. Grants go through the delivery pipeline (breaker → timeout, one attempt), everything else through the read
/// pipeline (retry → its own breaker → timeout). Identity and keys: <see cref="FlashRequests"/>.
/// </summary>
internal sealed partial class FlashLedgerHttpClient : IFlashLedgerClient
{
    private const string ResolvePath = "api/v1/users/resolve";
    private const string AdminGrantPath = "api/v1/credits/admin/grant";
    private const string BalancePath = "api/v1/credits/balance";
    private const string CostsPath = "api/v1/credits/costs";
    private const string HistoryPath = "api/v1/credits/history";
    private const string HealthPath = "health";

    private readonly HttpClient _http;
    private readonly FlashOptions _options;
    private readonly FlashRequests _requests;
    private readonly FlashResiliencePipelines _pipelines;
    private readonly ILogger<FlashLedgerHttpClient> _logger;

    public FlashLedgerHttpClient(
        HttpClient http,
        FlashOptions options,
        FlashResiliencePipelines pipelines,
        TimeProvider timeProvider,
        ILogger<FlashLedgerHttpClient> logger)
    {
        _http = http;
        _options = options;
        _requests = new FlashRequests(options, timeProvider);
        _pipelines = pipelines;
        _logger = logger;
    }

    public bool CanReadHistory => _requests.IsSigned;

    public bool IsDeliveryCircuitOpen => _pipelines.IsWriteCircuitOpen;

    public async Task<FlashResolvedUser> ResolveUserAsync(string externalId, string? email, string? displayName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(externalId);
        var payload = FlashJson.Serialize(new ResolveUserRequest(externalId, email, displayName));

        // Find-or-create keyed on external_id, so a retry after an unanswered attempt cannot create a second user.
        var response = await ReadAsync(
            "resolve user",
            () => _requests.Create(HttpMethod.Post, ResolvePath, new SendTrackingContent(payload), userId: null, sendServiceKey: true, sendAdminKey: false),
            cancellationToken);
        var parsed = FlashJson.TryDeserialize<ResolveUserResponse>(response.Body);
        if (parsed?.UserId is not { Length: > 0 } userId)
        {
            throw FlashRequests.Unreadable(response);
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
                    using var request = _requests.Create(HttpMethod.Post, AdminGrantPath, content, userId: null, sendServiceKey: true, sendAdminKey: true);
                    return await FlashRequests.SendBufferedAsync(_http, request, token);
                },
                cancellationToken);
            outcome = ClassifyGrantResponse(response, grant.Amount);
        }
        catch (Exception exception) when (FlashSendClassifier.IsSendFailure(exception))
        {
            var notSentReason = FlashSendClassifier.ReasonNotSent(exception, content.SerializationStarted, cancellationToken);
            outcome = notSentReason is not null
                ? new FlashGrantOutcome.NotSent(notSentReason, FlashSendClassifier.IsUnreachable(exception, content.SerializationStarted))
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
        FlashRequests.ValidateUserId(userId);
        var response = await ReadAsync(
            "read balance",
            () => _requests.Create(HttpMethod.Get, BalancePath, content: null, userId, sendServiceKey: false, sendAdminKey: false),
            cancellationToken);
        var parsed = FlashJson.TryDeserialize<BalanceResponse>(response.Body);
        if (parsed?.Balance is not { } balance)
        {
            throw FlashRequests.Unreadable(response);
        }

        return new FlashBalance(balance, parsed.LifetimeEarned ?? 0, parsed.LifetimeSpent ?? 0);
    }

    public async Task<IReadOnlyDictionary<string, JsonElement>> GetCostsAsync(CancellationToken cancellationToken)
    {
        var response = await ReadAsync(
            "read costs",
            () => _requests.Create(HttpMethod.Get, CostsPath, content: null, userId: null, sendServiceKey: false, sendAdminKey: false),
            cancellationToken);
        var root = FlashJson.TryParseElement(response.Body);
        if (root is not { ValueKind: JsonValueKind.Object } rootObject
            || !rootObject.TryGetProperty("costs", out var costs)
            || costs.ValueKind != JsonValueKind.Object)
        {
            throw FlashRequests.Unreadable(response);
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
        FlashRequests.ValidateUserId(userId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 100);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var path = string.Create(CultureInfo.InvariantCulture, $"{HistoryPath}?limit={limit}&offset={offset}");
        var response = await ReadAsync(
            "read history",
            () => _requests.Create(HttpMethod.Get, path, content: null, userId, sendServiceKey: false, sendAdminKey: false),
            cancellationToken);
        var rows = FlashJson.TryDeserialize<List<HistoryRow>>(response.Body);
        if (rows is null)
        {
            throw FlashRequests.Unreadable(response);
        }

        var entries = new List<FlashLedgerEntry>(rows.Count);
        foreach (var row in rows)
        {
            if (row.Amount is not { } amount || row.Type is null || !FlashJson.TryParseTimestamp(row.CreatedAt, out var createdAt))
            {
                throw FlashRequests.Unreadable(response);
            }

            entries.Add(new FlashLedgerEntry(amount, row.BalanceAfter ?? 0, row.Type, row.Description, createdAt));
        }

        return entries;
    }

    public async Task<bool> ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.AttemptTimeout);
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_requests.BaseUrl, HealthPath));
            var response = await FlashRequests.SendBufferedAsync(_http, request, timeout.Token);
            if (!response.IsSuccess)
            {
                return false;
            }
        }
        catch (Exception exception) when (FlashSendClassifier.IsSendFailure(exception) && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        await _pipelines.CloseLedgerCircuitsAsync(cancellationToken);
        return true;
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
                    return await FlashRequests.SendBufferedAsync(_http, request, token);
                },
                cancellationToken);
        }
        catch (Exception exception) when (FlashSendClassifier.IsSendFailure(exception) && !cancellationToken.IsCancellationRequested)
        {
            throw FlashRequests.Unavailable(operation, exception);
        }

        FlashRequests.ThrowIfFailed(response);
        return response;
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
                return new FlashGrantOutcome.Rejected(FlashErrorParser.Parse(response.StatusCode, response.BodyText));
            case WriteStatusClass.NotApplied:
                return new FlashGrantOutcome.NotSent("HTTP 429 from an intermediary (Flash itself never rate-limits); the grant was not forwarded.");
            default:
                return new FlashGrantOutcome.Ambiguous(
                    $"HTTP {response.StatusCode.ToString(CultureInfo.InvariantCulture)}; Flash may have applied the grant.",
                    response.StatusCode,
                    FlashErrorParser.Parse(response.StatusCode, response.BodyText));
        }
    }

    private static void ValidateGrant(FlashGrant grant)
    {
        ArgumentNullException.ThrowIfNull(grant);
        FlashRequests.ValidateUserId(grant.UserId);
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
