using Billing.Application.Abstractions.Messaging;

namespace Billing.Application.Status.GetBillingStatus;

public sealed record GetBillingStatusQuery(string UserId) : IQuery<BillingStatusResponse>;

public sealed record BillingStatusResponse(
    string UserId,
    bool HasActiveSubscription,
    IReadOnlyList<SubscriptionStatusResponse> Subscriptions,
    IReadOnlyList<PurchaseStatusResponse> Purchases,
    GrantSummaryResponse Grants);

public sealed record SubscriptionStatusResponse(
    string Tier,
    string ProductId,
    string Status,
    string Source,
    int CreditsPerPeriod,
    DateTimeOffset? CurrentPeriodStart,
    DateTimeOffset? CurrentPeriodEnd,
    bool CancelAtPeriodEnd,
    DateTimeOffset? LastGrantAt);

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
    DateTimeOffset? PaidAt);

public sealed record GrantSummaryResponse(
    int PendingCredits,
    int DeliveredCredits,
    IReadOnlyList<GrantResponse> Items);

public sealed record GrantResponse(
    string GrantKey,
    int Amount,
    string TransactionType,
    string Status,
    int Attempts,
    string? LastError,
    DateTimeOffset CreatedAt,
    DateTimeOffset? DeliveredAt);
