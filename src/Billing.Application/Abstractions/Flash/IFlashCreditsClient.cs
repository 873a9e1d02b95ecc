using System.Text.Json;

namespace Billing.Application.Abstractions.Flash;

/// <summary>
/// Client for the <c>/internal/credits/{grant,spend,check}</c> API (contract §7). Success means HTTP status exactly 200
/// <em>and</em> <c>"success": true</c> in the body; <c>"success": false</c> is a definitive refusal carrying <c>error</c>
/// (e.g. "Insufficient credits"). Grant and spend are not idempotent and are sent once; check is a read and is retried.
/// </summary>
public interface IFlashCreditsClient
{
    /// <summary>False when <c>FLASH_CREDITS_API_URL</c> or its service key is missing. Calls then throw <see cref="InvalidOperationException"/>
    /// (unlike Flash's own client, billing never treats a missing configuration as success).</summary>
    bool IsConfigured { get; }

    Task<FlashCreditsOutcome> GrantAsync(string userId, int amount, string transactionType, string description, CancellationToken cancellationToken);

    Task<FlashCreditsOutcome> SpendAsync(string userId, int cost, string transactionType, string description, CancellationToken cancellationToken);

    /// <summary>Asks whether the user can afford <paramref name="cost"/>. The answer's fields beyond <c>success</c> are not documented publicly,
    /// so the body is exposed as is.</summary>
    Task<FlashCreditsOutcome> CheckAsync(string userId, int cost, CancellationToken cancellationToken);
}

/// <summary>Outcome of an <c>/internal/credits/*</c> call; the same send/ambiguity rules as <see cref="FlashGrantOutcome"/>.</summary>
public abstract record FlashCreditsOutcome
{
    private FlashCreditsOutcome()
    {
    }

    /// <summary>HTTP 200 with <c>success: true</c>. <paramref name="Body"/> is the whole answer (a cloned element, safe to keep).</summary>
    public sealed record Succeeded(int? BalanceAfter, string? TransactionId, JsonElement Body) : FlashCreditsOutcome;

    /// <summary>Definitive refusal: HTTP 200 with <c>success: false</c> (error passed through), or a 4xx other than 408/429. Nothing applied.</summary>
    public sealed record Declined(FlashError Error) : FlashCreditsOutcome;

    /// <summary>Certainly not applied (the body never left, circuit open, or a 429 from an intermediary).</summary>
    public sealed record NotSent(string Reason, bool Unreachable = false) : FlashCreditsOutcome;

    /// <summary>May have been applied (timeout or reset after sending, 5xx, 408, unexpected 2xx or unreadable 200).</summary>
    public sealed record Ambiguous(string Reason, int? StatusCode = null, FlashError? Error = null) : FlashCreditsOutcome;
}
