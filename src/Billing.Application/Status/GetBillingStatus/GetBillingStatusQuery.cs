using Billing.Application.Abstractions.Messaging;

namespace Billing.Application.Status.GetBillingStatus;

public sealed record GetBillingStatusQuery(string UserId) : IQuery<BillingStatusResponse>;

public sealed record BillingStatusResponse(
    string UserId,
    bool HasActiveSubscription,
    IReadOnlyList<SubscriptionStatusResponse> Subscriptions,
    IReadOnlyList<PurchaseStatusResponse> Purchases,
    GrantSummaryResponse Grants,
    DebtResponse Debt);

/// <summary>
/// Clawbacks Flash could not take, still owed: collected from the user's next grants (docs/decisions/0012).
/// <c>OutstandingCredits</c> is what is still owed; <c>Items</c> the debt rows with something outstanding, oldest first.
/// </summary>
public sealed record DebtResponse(int OutstandingCredits, IReadOnlyList<DebtItemResponse> Items);

public sealed record DebtItemResponse(string GrantKey, int Amount, int Collected, int Outstanding, DateTimeOffset CreatedAt);

/// <remarks><c>Environment</c>: the Apple environment ("Production" / "Sandbox") of its newest transaction; null for Stripe.</remarks>
public sealed record SubscriptionStatusResponse(
    string Tier,
    string ProductId,
    string Status,
    string Source,
    int CreditsPerPeriod,
    DateTimeOffset? CurrentPeriodStart,
    DateTimeOffset? CurrentPeriodEnd,
    bool CancelAtPeriodEnd,
    DateTimeOffset? LastGrantAt,
    string? Environment);

/// <remarks><c>Environment</c>: the Apple environment ("Production" / "Sandbox") it was bought in; null for Stripe.</remarks>
public sealed record PurchaseStatusResponse(
    string ProductId,
    string Provider,
    string Status,
    int Credits,
    long PriceCents,
    string Currency,
    long AmountRefundedCents,
    int CreditsClawedBack,
    DateTimeOffset CreatedAt,
    DateTimeOffset? PaidAt,
    string? Environment);

public sealed record GrantSummaryResponse(
    int PendingCredits,
    int DeliveredCredits,
    IReadOnlyList<GrantResponse> Items);

/// <remarks><c>NettedCredits</c>: credits of this grant withheld to pay owed debt (the rest is sent to Flash).</remarks>
public sealed record GrantResponse(
    string GrantKey,
    int Amount,
    string TransactionType,
    string Status,
    int Attempts,
    string? LastError,
    DateTimeOffset CreatedAt,
    DateTimeOffset? DeliveredAt,
    int NettedCredits,
    string? Environment);
