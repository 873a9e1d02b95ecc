using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Billing.Application.Abstractions.Flash;

namespace Billing.Infrastructure.Flash;

/// <summary>Holds the pipelines (and so the circuit breaker) of the /internal/credits upstream, apart from Flash's own.</summary>
internal sealed class FlashCreditsPipelines(FlashResiliencePipelines pipelines)
{
    public FlashResiliencePipelines Pipelines { get; } = pipelines;
}

/// <summary>
/// Client for <c>/internal/credits/{grant,spend,check}</c> (contract §7) with <c>X-Service-Key</c>. Success is status exactly 200
/// and <c>"success": true</c>. Grant and spend are sent once and classified like the admin grant; check is retried as a read.
/// </summary>
internal sealed class FlashCreditsHttpClient : IFlashCreditsClient
{
    private const string GrantPath = "internal/credits/grant";
    private const string SpendPath = "internal/credits/spend";

    private readonly HttpClient _http;
    private readonly FlashOptions _options;
    private readonly FlashResiliencePipelines _pipelines;

    public FlashCreditsHttpClient(HttpClient http, FlashOptions options, FlashCreditsPipelines pipelines)
    {
        _http = http;
        _options = options;
        _pipelines = pipelines.Pipelines;
    }

    public bool IsConfigured => _options.IsCreditsApiConfigured;

    /// <summary>Not on the port (no production caller: grants go through the admin ledger); kept for the contract tests of the send-once classification.</summary>
    public Task<FlashCreditsOutcome> GrantAsync(string userId, int amount, string transactionType, string description, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amount);
        ArgumentException.ThrowIfNullOrWhiteSpace(transactionType);
        ArgumentNullException.ThrowIfNull(description);
        return WriteAsync(GrantPath, FlashJson.Serialize(new CreditsGrantRequest(userId, amount, transactionType, description)), cancellationToken);
    }

    public Task<FlashCreditsOutcome> SpendAsync(string userId, int cost, string transactionType, string description, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cost);
        ArgumentException.ThrowIfNullOrWhiteSpace(transactionType);
        ArgumentNullException.ThrowIfNull(description);
        return WriteAsync(SpendPath, FlashJson.Serialize(new CreditsSpendRequest(userId, cost, transactionType, description)), cancellationToken);
    }

    private async Task<FlashCreditsOutcome> WriteAsync(string path, byte[] payload, CancellationToken cancellationToken)
    {
        var content = new SendTrackingContent(payload);
        try
        {
            var response = await _pipelines.Write.ExecuteAsync(
                async token =>
                {
                    using var request = CreateRequest(path, content);
                    return await SendAsync(request, token);
                },
                cancellationToken);
            return Classify(response);
        }
        catch (Exception exception) when (FlashSendClassifier.IsSendFailure(exception))
        {
            return Fail(exception, content.SerializationStarted, cancellationToken);
        }
        finally
        {
            content.Dispose();
        }
    }

    private static FlashCreditsOutcome Fail(Exception exception, bool bodyStarted, CancellationToken cancellationToken)
    {
        var notSentReason = FlashSendClassifier.ReasonNotSent(exception, bodyStarted, cancellationToken);
        return notSentReason is not null
            ? new FlashCreditsOutcome.NotSent(notSentReason, FlashSendClassifier.IsUnreachable(exception, bodyStarted))
            : new FlashCreditsOutcome.Ambiguous(FlashSendClassifier.DescribeAmbiguousFailure(exception, cancellationToken));
    }

    private HttpRequestMessage CreateRequest(string path, HttpContent content)
    {
        if (!IsConfigured)
        {
            throw new InvalidOperationException(
                $"{FlashOptions.CreditsApiUrlKey} and a service key must be configured to call /internal/credits.");
        }

        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_options.CreditsApiUrl!, path)) { Content = content };
        request.Headers.TryAddWithoutValidation(FlashHeaders.ServiceKey, _options.EffectiveCreditsServiceKey);
        if (Activity.Current is { } activity)
        {
            request.Headers.TryAddWithoutValidation(FlashHeaders.RequestId, activity.TraceId.ToHexString());
        }

        return request;
    }

    private async Task<FlashHttpResponse> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        return new FlashHttpResponse((int)response.StatusCode, await response.Content.ReadAsByteArrayAsync(cancellationToken));
    }

    private static FlashCreditsOutcome Classify(FlashHttpResponse response)
    {
        switch (FlashSendClassifier.ClassifyStatus(response.StatusCode))
        {
            case WriteStatusClass.Success:
                var body = FlashJson.TryParseElement(response.Body);
                if (body is not { ValueKind: JsonValueKind.Object } root || !root.TryGetProperty("success", out var success)
                    || success.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    // A 200 without a success flag does not say whether anything happened.
                    return new FlashCreditsOutcome.Ambiguous("HTTP 200 without a readable success flag.", response.StatusCode);
                }

                if (success.ValueKind == JsonValueKind.False)
                {
                    var error = root.TryGetProperty("error", out var errorElement) && errorElement.ValueKind == JsonValueKind.String
                        ? errorElement.GetString()
                        : null;
                    return new FlashCreditsOutcome.Declined(new FlashError(response.StatusCode, error ?? "success: false", null, []));
                }

                int? balanceAfter = root.TryGetProperty("balance_after", out var balance) && balance.TryGetInt32(out var value) ? value : null;
                var transactionId = root.TryGetProperty("transaction_id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
                return new FlashCreditsOutcome.Succeeded(balanceAfter, transactionId);
            case WriteStatusClass.Definitive:
                return new FlashCreditsOutcome.Declined(FlashErrorParser.Parse(response.StatusCode, response.BodyText));
            case WriteStatusClass.NotApplied:
                return new FlashCreditsOutcome.NotSent("HTTP 429 from an intermediary; the request was not forwarded.");
            default:
                return new FlashCreditsOutcome.Ambiguous(
                    string.Create(CultureInfo.InvariantCulture, $"HTTP {response.StatusCode}; the request may have been applied."),
                    response.StatusCode,
                    FlashErrorParser.Parse(response.StatusCode, response.BodyText));
        }
    }
}
