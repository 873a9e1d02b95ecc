using System.Text.Json;

namespace Billing.Application.Abstractions.Flash;

/// <summary>
/// Billing's view of Flash. Reads (<see cref="ResolveUserAsync"/>, balance, costs, history) are retried on transient
/// failures and throw <see cref="FlashRequestException"/> (definitive) or <see cref="FlashUnavailableException"/> (transient).
/// <see cref="GrantCreditsAsync"/> is sent exactly once and never throws for transport or HTTP failures: it classifies them.
/// Generation is never retried either (it spends the user's credits on Flash).
/// </summary>
public interface IFlashClient
{
    /// <summary>
    /// True only when gateway signing is configured: balance, history and metered generation need a user identity,
    /// and current Flash only trusts a signed <c>X-User-Id</c>.
    /// </summary>
    bool CanReadHistory { get; }

    /// <summary>Find-or-create by <paramref name="externalId"/>. Safe to repeat: Flash keys it on external_id.</summary>
    Task<FlashResolvedUser> ResolveUserAsync(string externalId, string? email, string? displayName, CancellationToken cancellationToken);

    /// <summary>Sends one admin grant, once. See <see cref="FlashGrantOutcome"/> for what each outcome lets the caller do.</summary>
    Task<FlashGrantOutcome> GrantCreditsAsync(FlashGrant grant, CancellationToken cancellationToken);

    Task<FlashBalance> GetBalanceAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Flash's cost table as an open map (key → JSON value, normally an int): the key set changes between Flash versions.</summary>
    Task<IReadOnlyDictionary<string, JsonElement>> GetCostsAsync(CancellationToken cancellationToken);

    /// <summary>Ledger rows, newest first. <paramref name="limit"/> 1–100, <paramref name="offset"/> ≥ 0 (Flash answers 422 otherwise).</summary>
    Task<IReadOnlyList<FlashLedgerEntry>> GetHistoryAsync(string userId, int limit, int offset, CancellationToken cancellationToken);

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
