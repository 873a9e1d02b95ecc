using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Billing.Application.Abstractions.Flash;

namespace Billing.Infrastructure.Flash;

/// <summary>Header names shared by the Flash clients and the /internal/credits client.</summary>
internal static class FlashHeaders
{
    public const string ServiceKey = "X-Service-Key";
    public const string AdminKey = "X-Admin-Key";
    public const string LegacyUserId = "X-User-ID";
    public const string RequestId = "X-Request-ID";
}

/// <summary>
/// Builds requests to Flash with the right identity (shared by the ledger and relay clients): with a signing secret every
/// request is gateway-signed and <c>X-User-Id</c> only travels signed; without one, the legacy <c>X-Service-Key</c> +
/// <c>X-User-ID</c> pair is sent. Keys still go where routes check them: <c>X-Service-Key</c> on resolve, <c>X-Admin-Key</c>
/// (+ <c>X-Service-Key</c>) on the admin grant. Also the answer checks both clients share.
/// </summary>
internal sealed class FlashRequests
{
    private readonly FlashOptions _options;
    private readonly GatewayRequestSigner? _signer;

    public FlashRequests(FlashOptions options, TimeProvider timeProvider)
    {
        _options = options;
        BaseUrl = options.RequireBaseUrl();
        _signer = options.IsSigned ? new GatewayRequestSigner(options.GatewaySigningSecret!, timeProvider) : null;
    }

    public Uri BaseUrl { get; }

    public bool IsSigned => _signer is not null;

    public HttpRequestMessage Create(HttpMethod method, string relativePath, HttpContent? content, string? userId, bool sendServiceKey, bool sendAdminKey)
    {
        var request = new HttpRequestMessage(method, new Uri(BaseUrl, relativePath)) { Content = content };
        if (_signer is not null)
        {
            // Signed mode: the user id only ever travels inside the signature; keys only where a route checks them.
            _signer.Sign(request, userId);
            if (sendServiceKey)
            {
                AddSecretHeader(request, FlashHeaders.ServiceKey, _options.ServiceKey);
            }
        }
        else
        {
            // Legacy mode (memo contract): the service key vouches for the forwarded user id.
            AddSecretHeader(request, FlashHeaders.ServiceKey, _options.ServiceKey);
            if (userId is not null)
            {
                request.Headers.TryAddWithoutValidation(FlashHeaders.LegacyUserId, userId);
            }
        }

        if (sendAdminKey)
        {
            AddSecretHeader(request, FlashHeaders.AdminKey, _options.AdminKey);
        }

        if (Activity.Current is { } activity)
        {
            request.Headers.TryAddWithoutValidation(FlashHeaders.RequestId, activity.TraceId.ToHexString());
        }

        return request;
    }

    public static async Task<FlashHttpResponse> SendBufferedAsync(HttpClient http, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return new FlashHttpResponse((int)response.StatusCode, body);
    }

    public static void ThrowIfFailed(FlashHttpResponse response)
    {
        if (response.IsSuccess)
        {
            return;
        }

        var error = FlashErrorParser.Parse(response.StatusCode, response.BodyText);
        if (FlashResiliencePipelines.IsTransientStatus(response.StatusCode))
        {
            throw new FlashUnavailableException($"Flash answered HTTP {response.StatusCode}: {error.Message}", response.StatusCode, error);
        }

        throw new FlashRequestException(error);
    }

    public static FlashUnavailableException Unavailable(string operation, Exception exception) => exception switch
    {
        Polly.CircuitBreaker.BrokenCircuitException => new FlashUnavailableException($"Flash circuit breaker is open; {operation} was not attempted.", innerException: exception),
        Polly.Timeout.TimeoutRejectedException => new FlashUnavailableException($"Flash did not answer {operation} in time.", innerException: exception),
        _ => new FlashUnavailableException($"Flash could not be reached for {operation}.", innerException: exception),
    };

    public static FlashRequestException Unreadable(FlashHttpResponse response) =>
        new(new FlashError(response.StatusCode, "Unreadable Flash response", FlashErrorParser.Parse(response.StatusCode, response.BodyText).Detail, []));

    public static byte[] ToPayload(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("The generation request must be a JSON object.", nameof(body));
        }

        return Encoding.UTF8.GetBytes(body.GetRawText());
    }

    public static void ValidateUserId(string userId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        if (userId.Any(char.IsControl))
        {
            throw new ArgumentException("A user id cannot contain control characters.", nameof(userId));
        }
    }

    private static void AddSecretHeader(HttpRequestMessage request, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
    }
}
