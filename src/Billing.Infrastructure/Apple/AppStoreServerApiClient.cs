using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Billing.Application.Abstractions.Apple;
using Microsoft.Extensions.Logging;

namespace Billing.Infrastructure.Apple;

/// <summary>
/// The App Store Server API over HTTP. Each request carries <c>Authorization: Bearer</c> an ES256 JWT (header
/// <c>alg</c>/<c>kid</c>/<c>typ</c>; claims <c>iss</c>, <c>iat</c>, <c>exp</c>, <c>aud=appstoreconnect-v1</c>, <c>bid</c>), as
/// Apple's "Generating JSON Web Tokens for API requests" describes; a token is reused for 10 minutes of its 20-minute life.
/// Neither the key nor a token is ever logged.
/// </summary>
internal sealed partial class AppStoreServerApiClient : IAppStoreServerApi, IDisposable
{
    public const string Audience = "appstoreconnect-v1";
    private static readonly TimeSpan TokenLifetime = TimeSpan.FromMinutes(20);
    private static readonly TimeSpan TokenReuse = TimeSpan.FromMinutes(10);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private readonly HttpClient _http;
    private readonly AppStoreServerApiOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<AppStoreServerApiClient> _logger;
    private readonly ECDsa? _key;
    private readonly Lock _gate = new();
    private (string Token, DateTimeOffset IssuedAt)? _token;

    public AppStoreServerApiClient(HttpClient http, AppStoreServerApiOptions options, TimeProvider clock, ILogger<AppStoreServerApiClient> logger)
    {
        _http = http;
        _options = options;
        _clock = clock;
        _logger = logger;
        if (options.PrivateKeyPem is { } pem)
        {
            _key = ECDsa.Create();
            _key.ImportFromPem(pem);
        }
    }

    public bool IsConfigured => _key is not null;

    public async Task<AppleNotificationHistoryPage> GetNotificationHistoryAsync(DateTimeOffset start, DateTimeOffset end, string? paginationToken, CancellationToken cancellationToken)
    {
        var path = "/inApps/v1/notifications/history" + (paginationToken is null ? "" : "?paginationToken=" + Uri.EscapeDataString(paginationToken));
        var body = new NotificationHistoryRequest(start.ToUnixTimeMilliseconds(), end.ToUnixTimeMilliseconds());
        var response = await SendAsync<NotificationHistoryResponse>(HttpMethod.Post, path, JsonContent.Create(body, options: Json), "Get Notification History", cancellationToken);
        return new AppleNotificationHistoryPage(
            [.. (response.NotificationHistory ?? []).Select(n => n.SignedPayload).OfType<string>()],
            response.PaginationToken,
            response.HasMore);
    }

    public async Task<AppleTransactionHistoryPage> GetTransactionHistoryAsync(string transactionId, string? revision, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(transactionId);
        var path = $"/inApps/v2/history/{Uri.EscapeDataString(transactionId)}" + (revision is null ? "" : "?revision=" + Uri.EscapeDataString(revision));
        var response = await SendAsync<TransactionHistoryResponse>(HttpMethod.Get, path, null, "Get Transaction History", cancellationToken);
        return new AppleTransactionHistoryPage(response.SignedTransactions ?? [], response.Revision, response.HasMore);
    }

    public async Task SendConsumptionInformationAsync(string transactionId, AppleConsumptionInformation information, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(transactionId);
        ArgumentNullException.ThrowIfNull(information);
        var path = $"/inApps/v1/transactions/consumption/{Uri.EscapeDataString(transactionId)}";
        await SendAsync<object>(HttpMethod.Put, path, JsonContent.Create(information, options: Json), "Send Consumption Information", cancellationToken);
    }

    public void Dispose() => _key?.Dispose();

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, string operation, CancellationToken cancellationToken)
        where T : class
    {
        if (_key is null)
        {
            throw new AppStoreServerApiException("The App Store Server API is not configured (APPLE_APP_STORE_PRIVATE_KEY, APPLE_APP_STORE_KEY_ID, APPLE_APP_STORE_ISSUER_ID).", null);
        }

        using var request = new HttpRequestMessage(method, new Uri(_options.BaseUrl, path)) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token());
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogUnreachable(operation, ex.GetType().Name);
            throw new AppStoreServerApiException($"The App Store Server API did not answer {operation}.", null, inner: ex);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                ErrorResponse? error = null;
                try
                {
                    error = await response.Content.ReadFromJsonAsync<ErrorResponse>(Json, cancellationToken);
                }
                catch (JsonException)
                {
                    // Not Apple's error shape (a proxy's page): the status says enough.
                }

                var status = (int)response.StatusCode;
                LogRefused(operation, status, error?.ErrorCode);
                throw new AppStoreServerApiException(
                    string.Create(CultureInfo.InvariantCulture, $"The App Store Server API answered {operation} with {status}{(error?.ErrorCode is { } code ? $" ({code}: {error.ErrorMessage})" : "")}."),
                    status,
                    error?.ErrorCode);
            }

            if (typeof(T) == typeof(object))
            {
                return (T)new object();
            }

            try
            {
                return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken)
                    ?? throw new AppStoreServerApiException($"The App Store Server API answered {operation} with an empty body.", (int)response.StatusCode);
            }
            catch (JsonException ex)
            {
                throw new AppStoreServerApiException($"The App Store Server API answered {operation} with a body that could not be read.", (int)response.StatusCode, inner: ex);
            }
        }
    }

    private string Token()
    {
        var now = _clock.GetUtcNow();
        lock (_gate)
        {
            if (_token is { } cached && now - cached.IssuedAt < TokenReuse)
            {
                return cached.Token;
            }

            var token = CreateToken(now);
            _token = (token, now);
            return token;
        }
    }

    /// <summary>A compact JWS: base64url(header).base64url(claims).base64url(r‖s), the signature in IEEE P1363 form as JWS requires.</summary>
    internal string CreateToken(DateTimeOffset now)
    {
        var header = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["alg"] = "ES256", ["kid"] = _options.KeyId!, ["typ"] = "JWT" });
        var issuedAt = now.ToUnixTimeSeconds();
        var claims = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iss"] = _options.IssuerId!,
            ["iat"] = issuedAt,
            ["exp"] = issuedAt + (long)TokenLifetime.TotalSeconds,
            ["aud"] = Audience,
            ["bid"] = _options.BundleId,
        });
        var signingInput = $"{Base64Url(header)}.{Base64Url(claims)}";
        var signature = _key!.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return $"{signingInput}.{Base64Url(signature)}";
    }

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "App Store Server API {Operation} unreachable ({ExceptionType})")]
    private partial void LogUnreachable(string operation, string exceptionType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "App Store Server API refused {Operation}: {Status} (error code {ErrorCode})")]
    private partial void LogRefused(string operation, int status, long? errorCode);

    private sealed record NotificationHistoryRequest(long StartDate, long EndDate);

    private sealed record NotificationHistoryResponse(List<NotificationHistoryItem>? NotificationHistory, bool HasMore, string? PaginationToken);

    private sealed record NotificationHistoryItem(string? SignedPayload);

    private sealed record TransactionHistoryResponse(List<string>? SignedTransactions, string? Revision, bool HasMore);

    private sealed record ErrorResponse(long? ErrorCode, string? ErrorMessage);
}
