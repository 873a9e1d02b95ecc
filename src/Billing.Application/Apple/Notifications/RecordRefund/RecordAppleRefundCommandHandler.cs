using Billing.Application.Abstractions.Apple;
using Billing.Application.Inbox;
using Billing.Domain.Common;
using MediatR;

namespace Billing.Application.Apple.Notifications.RecordRefund;

/// <summary>
/// A consumable's purchase is refunded (its credits clawed back, negative <c>refund</c> grant keyed by transactionId +
/// notificationUUID; a prorated refund takes its share); a subscription transaction's period has its grant clawed back, and
/// when it was the current period the subscription ends.
/// </summary>
internal sealed class RecordAppleRefundCommandHandler(AppleEntitlements entitlements) : IRequestHandler<RecordAppleRefundCommand, ProviderEventResult>
{
    public async Task<ProviderEventResult> Handle(RecordAppleRefundCommand request, CancellationToken cancellationToken)
    {
        var n = request.Notification;
        if (n.Transaction is not { TransactionId: { } transactionId } transaction)
        {
            return ProviderEventResult.Ignored("the notification carries no transaction");
        }

        var refundKey = GrantKey.ForAppleRefund(transactionId, n.NotificationUuid);
        var refundedAt = transaction.RevocationDate ?? n.OccurredAt;
        var purchase = await entitlements.FindPurchaseAsync(transactionId, cancellationToken);
        if (purchase is not null)
        {
            var share = ProratedShare(transaction);
            var refunded = share is { } milli
                ? purchase.RecordRefund(refundKey, Math.Max(1, purchase.Price.MinorUnits * milli / 100_000), refundedAt)
                : purchase.RecordFullRefund(refundKey, refundedAt);
            return refunded ? ProviderEventResult.Processed() : ProviderEventResult.Ignored($"purchase {transactionId} is already refunded");
        }

        var subscription = await entitlements.FindSubscriptionAsync(transaction.OriginalTransactionId ?? transactionId, cancellationToken);
        var paymentKey = GrantKey.ForAppleTransaction(transactionId);
        var period = subscription?.PaidPeriods.FirstOrDefault(p => p.GrantKey == paymentKey.Value);
        if (subscription is null || period is null)
        {
            return ProviderEventResult.Ignored($"nothing was granted for transaction {transactionId}: nothing to claw back");
        }

        if (!subscription.RefundPeriod(paymentKey, refundKey, refundedAt))
        {
            return ProviderEventResult.Ignored($"the period paid by transaction {transactionId} is already refunded");
        }

        if (subscription.CurrentPeriodEnd is { } end && period.PeriodEnd >= end)
        {
            // The refunded payment was for the period in force: the entitlement it bought is gone.
            subscription.Expire(n.OccurredAt);
        }

        return ProviderEventResult.Processed();
    }

    /// <summary>REFUND_PRORATED with a percentage below 100 %: the share refunded, in milli-percent; null means the whole purchase.</summary>
    private static long? ProratedShare(AppleTransaction transaction) =>
        transaction is { RevocationType: "REFUND_PRORATED", RevocationPercentage: > 0 and < 100_000 and var milli } ? milli : null;
}
