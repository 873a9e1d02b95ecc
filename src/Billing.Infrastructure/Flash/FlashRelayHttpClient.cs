using System.Buffers;
using System.Text.Json;
using Billing.Application.Abstractions.Flash;

namespace Billing.Infrastructure.Flash;

/// <summary>
/// The generation relay (contract §6): sync and streaming generation for the forwarded user, once each (Flash charges the user's
/// credits per generation), through the relay's own circuit breaker and the generation timeout.
/// </summary>
internal sealed class FlashRelayHttpClient : IFlashRelayClient
{
    private const string GenerateSyncPath = "api/v1/timepoints/generate/sync";
    private const string GenerateStreamPath = "api/v1/timepoints/generate/stream";
    private const int StreamBufferSize = 8 * 1024;

    private readonly HttpClient _http;
    private readonly FlashRequests _requests;
    private readonly FlashResiliencePipelines _pipelines;

    public FlashRelayHttpClient(HttpClient http, FlashOptions options, FlashResiliencePipelines pipelines, TimeProvider timeProvider)
    {
        _http = http;
        _requests = new FlashRequests(options, timeProvider);
        _pipelines = pipelines;
    }

    public async Task<JsonElement> GenerateSyncAsync(string userId, JsonElement body, CancellationToken cancellationToken)
    {
        FlashRequests.ValidateUserId(userId);
        var payload = FlashRequests.ToPayload(body);
        FlashHttpResponse response;
        try
        {
            // One attempt: Flash charges the user's credits for each generation.
            response = await _pipelines.Generate.ExecuteAsync(
                async token =>
                {
                    using var request = _requests.Create(HttpMethod.Post, GenerateSyncPath, new SendTrackingContent(payload), userId, sendServiceKey: false, sendAdminKey: false);
                    return await FlashRequests.SendBufferedAsync(_http, request, token);
                },
                cancellationToken);
        }
        catch (Exception exception) when (FlashSendClassifier.IsSendFailure(exception) && !cancellationToken.IsCancellationRequested)
        {
            throw FlashRequests.Unavailable("generate (sync)", exception);
        }

        FlashRequests.ThrowIfFailed(response);
        return FlashJson.TryParseElement(response.Body) ?? throw FlashRequests.Unreadable(response);
    }

    public async Task RelayGenerateStreamAsync(string userId, JsonElement body, Stream destination, CancellationToken cancellationToken)
    {
        FlashRequests.ValidateUserId(userId);
        ArgumentNullException.ThrowIfNull(destination);
        var payload = FlashRequests.ToPayload(body);
        HttpResponseMessage response;
        try
        {
            // The timeout covers only getting the response headers; the body is relayed for as long as Flash streams it.
            response = await _pipelines.Generate.ExecuteAsync(
                async token =>
                {
                    using var request = _requests.Create(HttpMethod.Post, GenerateStreamPath, new SendTrackingContent(payload), userId, sendServiceKey: false, sendAdminKey: false);
                    return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
                },
                cancellationToken);
        }
        catch (Exception exception) when (FlashSendClassifier.IsSendFailure(exception) && !cancellationToken.IsCancellationRequested)
        {
            throw FlashRequests.Unavailable("generate (stream)", exception);
        }

        // Disposing the response aborts the upstream request when we stop early (the caller went away).
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var errorBody = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                FlashRequests.ThrowIfFailed(new FlashHttpResponse((int)response.StatusCode, errorBody));
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
}
