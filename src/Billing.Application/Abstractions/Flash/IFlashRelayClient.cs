using System.Text.Json;

namespace Billing.Application.Abstractions.Flash;

/// <summary>
/// The generation relay to Flash, with a circuit breaker of its own (a slow generation never opens the breaker of grant
/// delivery). Generation is never retried: it spends the user's credits on Flash.
/// </summary>
public interface IFlashRelayClient
{
    /// <summary>Relays <c>POST /api/v1/timepoints/generate/sync</c> for the user and returns Flash's JSON as is. Not retried.</summary>
    Task<JsonElement> GenerateSyncAsync(string userId, JsonElement body, CancellationToken cancellationToken);

    /// <summary>
    /// Relays <c>POST /api/v1/timepoints/generate/stream</c>: copies the Server-Sent Events to <paramref name="destination"/>
    /// chunk by chunk, flushing after each, without buffering the whole response. Throws (before writing anything) when Flash
    /// refuses the request; once streaming started, failures are in-band events from Flash. Cancelling
    /// <paramref name="cancellationToken"/> (the caller went away) aborts the upstream request. Not retried.
    /// </summary>
    Task RelayGenerateStreamAsync(string userId, JsonElement body, Stream destination, CancellationToken cancellationToken);
}
