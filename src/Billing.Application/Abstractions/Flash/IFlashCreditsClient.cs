namespace Billing.Application.Abstractions.Flash;

/// <summary>
/// Client for the <c>/internal/credits/spend</c> API (contract §7), the one route production uses: a clawback taken from the
/// balance when the admin ledger is not configured for it. Success means HTTP status exactly 200
/// <em>and</em> <c>"success": true</c> in the body; <c>"success": false</c> is a definitive refusal carrying <c>error</c>
/// (e.g. "Insufficient credits"). A spend is not idempotent and is sent once.
/// </summary>
public interface IFlashCreditsClient
{
    /// <summary>False when <c>FLASH_CREDITS_API_URL</c> or its service key is missing. Calls then throw <see cref="InvalidOperationException"/>
    /// (unlike Flash's own client, billing never treats a missing configuration as success).</summary>
    bool IsConfigured { get; }

    Task<FlashCreditsOutcome> SpendAsync(string userId, int cost, string transactionType, string description, CancellationToken cancellationToken);
}

/// <summary>Outcome of an <c>/internal/credits/*</c> call; the same send/ambiguity rules as <see cref="FlashGrantOutcome"/>.</summary>
public abstract record FlashCreditsOutcome
{
    private FlashCreditsOutcome()
    {
    }

    /// <summary>HTTP 200 with <c>success: true</c>.</summary>
    public sealed record Succeeded(int? BalanceAfter, string? TransactionId) : FlashCreditsOutcome;

    /// <summary>Definitive refusal: HTTP 200 with <c>success: false</c> (error passed through), or a 4xx other than 408/429. Nothing applied.</summary>
    public sealed record Declined(FlashError Error) : FlashCreditsOutcome;

    /// <summary>Certainly not applied (the body never left, circuit open, or a 429 from an intermediary).</summary>
    public sealed record NotSent(string Reason, bool Unreachable = false) : FlashCreditsOutcome;

    /// <summary>May have been applied (timeout or reset after sending, 5xx, 408, unexpected 2xx or unreadable 200).</summary>
    public sealed record Ambiguous(string Reason, int? StatusCode = null, FlashError? Error = null) : FlashCreditsOutcome;
}
