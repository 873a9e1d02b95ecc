namespace Billing.Application.Abstractions.Flash;

/// <summary>Result of <c>POST /api/v1/users/resolve</c>: Flash's user UUID and whether this call created the user.</summary>
public sealed record FlashResolvedUser(string UserId, bool Created);

/// <summary>Result of <c>GET /api/v1/credits/balance</c>.</summary>
public sealed record FlashBalance(int Balance, int LifetimeEarned, int LifetimeSpent);

/// <summary>
/// One row of <c>GET /api/v1/credits/history</c>, newest first. <see cref="Amount"/> is negative for spends;
/// <see cref="Type"/> is Flash's enum value as sent (kept as a string: Flash may add values).
/// </summary>
public sealed record FlashLedgerEntry(int Amount, int BalanceAfter, string Type, string? Description, DateTimeOffset CreatedAt);
