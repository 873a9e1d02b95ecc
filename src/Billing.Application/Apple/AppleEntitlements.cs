using Billing.Application.Abstractions.Apple;
using Billing.Application.Abstractions.Attention;
using Billing.Application.Abstractions.Persistence;
using Billing.Domain.Catalog;
using Billing.Domain.Common;
using Billing.Domain.Purchases;
using Billing.Domain.Subscriptions;
using Microsoft.EntityFrameworkCore;

namespace Billing.Application.Apple;

/// <summary>
/// What recording one Apple transaction came to: whether it granted now, and what the transaction grants.
/// <c>SandboxNotGranted</c>: the reason a Sandbox transaction was recorded without credits (docs/decisions/0010).
/// </summary>
internal sealed record AppleGrantOutcome(bool Granted, int Credits, bool Refunded = false, string? SandboxNotGranted = null);

/// <summary>
/// Records verified Apple transactions on the aggregates, shared by the verify route and the notification processor.
/// The grant key is always <c>apple:transaction:{transactionId}</c>, so whichever path sees a transaction first grants it
/// and the other finds it done. Runs inside the caller's unit of work: a concurrent first record of the same transaction
/// loses on a unique index (purchases / subscriptions / subscription_periods / credit_grants) and is re-run on fresh state.
/// </summary>
internal sealed class AppleEntitlements(IBillingDbContext db, AppleSandboxPolicy sandbox, IAttentionList attention, TimeProvider clock)
{
    public Task<Purchase?> FindPurchaseAsync(string transactionId, CancellationToken cancellationToken) =>
        db.Purchases.SingleOrDefaultAsync(p => p.Provider == PaymentProvider.Apple && p.ProviderPurchaseId == transactionId, cancellationToken);

    public Task<Subscription?> FindSubscriptionAsync(string originalTransactionId, CancellationToken cancellationToken) =>
        db.Subscriptions.SingleOrDefaultAsync(s => s.Source == SubscriptionSource.Apple && s.ProviderSubscriptionId == originalTransactionId, cancellationToken);

    /// <summary>The first purchase recorded under an originalTransactionId (consumables: it equals the transactionId).</summary>
    public Task<Purchase?> FindPurchaseByOriginalTransactionAsync(string originalTransactionId, CancellationToken cancellationToken) =>
        db.Purchases
            .Where(p => p.Provider == PaymentProvider.Apple && (p.ProviderPaymentId == originalTransactionId || p.ProviderPurchaseId == originalTransactionId))
            .OrderBy(p => p.CreatedAt)
            .FirstOrDefaultAsync(cancellationToken);

    /// <summary>A consumable: one purchase and one <c>apple_iap</c> grant per transactionId, for the pack's credits times the quantity.</summary>
    public async Task<AppleGrantOutcome> RecordPackAsync(UserId userId, CreditPack pack, AppleTransaction transaction, CancellationToken cancellationToken)
    {
        var transactionId = RequireTransactionId(transaction);
        var existing = await FindPurchaseAsync(transactionId, cancellationToken);
        if (existing is not null)
        {
            EnsureOwner(existing.UserId, userId);
            var notGranted = sandbox.Restricts(existing.Environment) && existing.Credits == Credits.Zero ? "recorded earlier without credits" : null;
            return new AppleGrantOutcome(Granted: false, existing.Credits.Value, existing.Status is PurchaseStatus.Refunded or PurchaseStatus.PartiallyRefunded, notGranted);
        }

        var quantity = transaction.Quantity ?? 1;
        var bought = pack with
        {
            Credits = Credits.Of(checked(pack.Credits.Value * quantity)),
            Price = Money.Of(checked(pack.Price.MinorUnits * quantity), pack.Price.Currency),
        };
        var now = clock.GetUtcNow();
        var refusal = await SandboxRefusalAsync(userId, transaction, bought.Credits, cancellationToken);
        var purchase = Purchase.RecordApplePurchase(
            userId,
            bought,
            transactionId,
            transaction.OriginalTransactionId ?? transactionId,
            pricePaid: null,
            transaction.PurchaseDate ?? transaction.SignedDate ?? now,
            now,
            transaction.Environment,
            grantsCredits: refusal is null);
        db.Purchases.Add(purchase);
        return new AppleGrantOutcome(Granted: refusal is null, refusal is null ? bought.Credits.Value : 0, SandboxNotGranted: refusal);
    }

    /// <summary>
    /// An auto-renewable transaction: creates the user's Apple subscription (provider id = originalTransactionId) or updates it,
    /// then records the paid period [purchaseDate, expiresDate) once per transactionId (<c>subscription_grant</c>).
    /// The newest period's product sets the tier (upgrade, resubscribe to another tier) before it is granted.
    /// </summary>
    public async Task<AppleGrantOutcome> RecordSubscriptionPeriodAsync(UserId userId, SubscriptionTier tier, AppleTransaction transaction, DateTimeOffset occurredAt, CancellationToken cancellationToken)
    {
        var transactionId = RequireTransactionId(transaction);
        var originalTransactionId = transaction.OriginalTransactionId ?? transactionId;
        var period = PeriodOf(transaction);
        var key = GrantKey.ForAppleTransaction(transactionId);
        var now = clock.GetUtcNow();

        var subscription = await FindSubscriptionAsync(originalTransactionId, cancellationToken);
        if (subscription is null)
        {
            subscription = Subscription.Start(userId, SubscriptionSource.Apple, tier, originalTransactionId, period, occurredAt, now);
            db.Subscriptions.Add(subscription);
        }
        else if (subscription.UserId != userId)
        {
            // A new purchase under the buyer's own token moves the subscription to them from this period on; anything else
            // for another user's subscription is refused (docs/decisions/0014).
            if (!IsPurchaseByTokenHolder(transaction, userId) || subscription.PaidPeriods.Any(p => p.GrantKey == key.Value))
            {
                EnsureOwner(subscription.UserId, userId);
            }

            subscription.TransferOwnership(userId, occurredAt);
        }

        var paid = subscription.PaidPeriods.FirstOrDefault(p => p.GrantKey == key.Value);
        if (paid is not null)
        {
            var notGranted = sandbox.Restricts(subscription.Environment) && paid.CreditsGranted == 0 ? "recorded earlier without credits" : null;
            return new AppleGrantOutcome(Granted: false, paid.CreditsGranted, paid.RefundedAt is not null, notGranted);
        }

        subscription.RecordEnvironment(transaction.Environment);
        var paidFor = CreditsPaidFor(tier, transaction);
        var refusal = paidFor > Credits.Zero ? await SandboxRefusalAsync(userId, transaction, paidFor, cancellationToken) : null;
        var credits = refusal is null ? paidFor : Credits.Zero;
        var upgrade = IsUpgrade(subscription, tier, transaction, period);

        bool granted;
        if (subscription.Status == SubscriptionStatus.Expired)
        {
            granted = subscription.Resubscribe(tier, period, key, occurredAt, now, credits);
        }
        else
        {
            var isNewestPeriod = subscription.CurrentPeriodEnd is not { } end || period.End >= end;
            if (isNewestPeriod && subscription.Tier != tier.Tier)
            {
                subscription.ChangeTier(tier, occurredAt);
            }

            granted = subscription.RecordPaidPeriod(period, key, occurredAt, now, credits);
        }

        if (granted && upgrade)
        {
            subscription.ProrateUpgradedPeriod(period.Start, GrantKey.ForAppleUpgrade(transactionId), occurredAt);
        }

        var owed = subscription.PaidPeriods.FirstOrDefault(p => p.GrantKey == key.Value)?.CreditsGranted ?? 0;
        return new AppleGrantOutcome(granted && refusal is null, owed, SandboxNotGranted: refusal);
    }

    /// <summary>
    /// What a subscription transaction paid for (docs/decisions/0013): its own product's credits (never the subscription's
    /// current tier); nothing for a free offer (an offerType with price 0: free trial, free promotional period) or for a
    /// transaction an upgrade already replaced (isUpgraded: its unused share was refunded, its used share is unknown).
    /// </summary>
    public static Credits CreditsPaidFor(SubscriptionTier tier, AppleTransaction transaction) =>
        transaction.IsUpgraded == true || (transaction.OfferType is not null && transaction.Price is 0)
            ? Credits.Zero
            : tier.CreditsPerPeriod;

    /// <summary>A new purchase of another tier that starts inside a period already paid: an immediate Apple upgrade.</summary>
    private static bool IsUpgrade(Subscription subscription, SubscriptionTier tier, AppleTransaction transaction, BillingPeriod period) =>
        string.Equals(transaction.TransactionReason, "PURCHASE", StringComparison.Ordinal)
        && subscription.Tier != tier.Tier
        && subscription.PaidPeriods.Any(p => p.PeriodStart < period.Start && period.Start < p.PeriodEnd);

    /// <summary>
    /// Null when the transaction may grant <paramref name="credits"/>; else why not (docs/decisions/0010): Sandbox data in a
    /// Production service grants only to users on APPLE_SANDBOX_USERS, within APPLE_SANDBOX_MAX_CREDITS_PER_DAY per UTC day.
    /// A refusal is raised on the attention list, once per transaction.
    /// </summary>
    private async Task<string?> SandboxRefusalAsync(UserId userId, AppleTransaction transaction, Credits credits, CancellationToken cancellationToken)
    {
        if (!sandbox.Restricts(transaction.Environment))
        {
            return null;
        }

        string? refusal = null;
        if (!sandbox.AllowedUsers.Contains(userId.Value))
        {
            refusal = $"a Sandbox transaction in a Production service: user {userId.Value} is not on {AppleSandboxPolicy.UsersVariable}";
        }
        else
        {
            var dayStart = new DateTimeOffset(clock.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero);
            var grantedToday = await db.CreditGrants.AsNoTracking()
                .Where(g => g.UserId == userId && g.Environment == AppleSandboxPolicy.SandboxEnvironment && g.Amount > 0 && g.CreatedAt >= dayStart)
                .SumAsync(g => g.Amount, cancellationToken);
            if (grantedToday + credits.Value > sandbox.MaxCreditsPerDay)
            {
                refusal = $"a Sandbox transaction in a Production service: {grantedToday} Sandbox credits granted to user {userId.Value} today, {credits} more would pass {AppleSandboxPolicy.MaxCreditsPerDayVariable} ({sandbox.MaxCreditsPerDay})";
            }
        }

        if (refusal is not null)
        {
            await attention.RaiseAsync(AttentionKinds.SandboxNotGranted, GrantKey.ForAppleTransaction(RequireTransactionId(transaction)).Value, userId.Value, refusal, cancellationToken);
        }

        return refusal;
    }

    /// <summary>transactionReason PURCHASE (new purchase, resubscribe, upgrade) carrying <paramref name="userId"/>'s appAccountToken.</summary>
    public static bool IsPurchaseByTokenHolder(AppleTransaction transaction, UserId userId) =>
        string.Equals(transaction.TransactionReason, "PURCHASE", StringComparison.Ordinal)
        && transaction.AppAccountToken is { } token
        && AppleAccountToken.Matches(token, userId);

    public static string RequireTransactionId(AppleTransaction transaction) =>
        string.IsNullOrWhiteSpace(transaction.TransactionId)
            ? throw new InvalidDomainValueException(AppleReasonCodes.MalformedTransaction, "The transaction has no transactionId.")
            : transaction.TransactionId;

    public static BillingPeriod PeriodOf(AppleTransaction transaction) =>
        transaction is { PurchaseDate: { } start, ExpiresDate: { } end }
            ? BillingPeriod.Of(start, end)
            : throw new InvalidDomainValueException(AppleReasonCodes.MalformedTransaction, "A subscription transaction needs purchaseDate and expiresDate.");

    private static void EnsureOwner(UserId owner, UserId caller)
    {
        if (owner != caller)
        {
            throw new DomainException(AppleReasonCodes.OwnedByAnotherUser, "This Apple transaction is already recorded for another user.");
        }
    }
}
