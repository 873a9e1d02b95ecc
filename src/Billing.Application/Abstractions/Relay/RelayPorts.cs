using Billing.Application.Abstractions.Flash;
using Billing.Domain.ApiKeys;
using Billing.Domain.Common;

namespace Billing.Application.Abstractions.Relay;

/// <summary>
/// The Flash a developer key may reach: live keys the production Flash (MAIN_APP_INTERNAL_URL), test keys the sandbox
/// (FLASH_SANDBOX_URL). <c>null</c> when that Flash is not configured.
/// </summary>
public interface IFlashRelayClients
{
    FlashTarget? For(ApiKeyMode mode);
}

/// <summary>One Flash as the developer relay uses it: generation, and the ledger reads (balance, cost table).</summary>
public sealed record FlashTarget(IFlashRelayClient Generation, IFlashLedgerClient Ledger);

/// <summary>Flash's cost of a generation preset (GET /credits/costs, cached); Flash's own fallback (5) for an unknown preset.</summary>
public interface ICreditCostTable
{
    ValueTask<int> GenerationCostAsync(ApiKeyMode mode, string? preset, CancellationToken cancellationToken);
}

/// <summary>Idempotency-Key records of the sync relay, shared by every instance and kept across restarts.</summary>
public interface IRelayIdempotencyStore
{
    /// <summary>Claims the key for this request, or says why not (a replay, a different body, still running).</summary>
    Task<IdempotencyClaim> ClaimAsync(IdempotencyScope scope, byte[] requestHash, CancellationToken cancellationToken);

    /// <summary>Stores the answer of a claimed request so repeats replay it.</summary>
    Task CompleteAsync(IdempotencyScope scope, StoredAnswer answer, CancellationToken cancellationToken);

    /// <summary>Gives a claim back (nothing was charged), so a retry runs again.</summary>
    Task ReleaseAsync(IdempotencyScope scope, CancellationToken cancellationToken);
}

public sealed record IdempotencyScope(UserId Owner, ApiKeyMode Mode, string Key);

public sealed record StoredAnswer(int Status, string ContentType, byte[] Body);

public abstract record IdempotencyClaim
{
    private IdempotencyClaim()
    {
    }

    public sealed record Claimed : IdempotencyClaim;

    public sealed record Replay(StoredAnswer Answer) : IdempotencyClaim;

    public sealed record DifferentRequest : IdempotencyClaim;

    public sealed record StillRunning : IdempotencyClaim;
}
