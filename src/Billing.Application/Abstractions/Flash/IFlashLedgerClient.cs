namespace Billing.Application.Abstractions.Flash;

/// <summary>
/// Billing's view of Flash's credit ledger. Reads (balance, costs, history) are retried on
/// transient failures and throw <see cref="FlashRequestException"/> (definitive) or <see cref="FlashUnavailableException"/>
/// (transient). <see cref="GrantCreditsAsync"/> is sent exactly once and never throws for transport or HTTP failures: it
/// classifies them. Grant delivery and reads each have their own circuit breaker (the generation relay a third one).
/// </summary>
public interface IFlashLedgerClient
{
    /// <summary>
    /// True only when gateway signing is configured: balance and history need a user identity, and current Flash only trusts a
    /// signed <c>X-User-Id</c>.
    /// </summary>
    bool CanReadHistory { get; }

    /// <summary>True while grant delivery's circuit breaker is open: a send now would be refused without being attempted.</summary>
    bool IsDeliveryCircuitOpen { get; }

    /// <summary>Sends one admin grant, once. See <see cref="FlashGrantOutcome"/> for what each outcome lets the caller do.</summary>
    Task<FlashGrantOutcome> GrantCreditsAsync(FlashGrant grant, CancellationToken cancellationToken);

    Task<FlashBalance> GetBalanceAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Flash's cost table as an open map (key → JSON value, normally an int): the key set changes between Flash versions.</summary>
    Task<IReadOnlyDictionary<string, System.Text.Json.JsonElement>> GetCostsAsync(CancellationToken cancellationToken);

    /// <summary>Ledger rows, newest first. <paramref name="limit"/> 1–100, <paramref name="offset"/> ≥ 0 (Flash answers 422 otherwise).</summary>
    Task<IReadOnlyList<FlashLedgerEntry>> GetHistoryAsync(string userId, int limit, int offset, CancellationToken cancellationToken);

    /// <summary>
    /// Asks Flash's open <c>/health</c> whether it answers again, bypassing the circuit breakers. When it does (2xx), the
    /// delivery and read breakers are closed, so work held back during an outage flows at once instead of waiting out the break.
    /// </summary>
    Task<bool> ProbeAsync(CancellationToken cancellationToken);
}
