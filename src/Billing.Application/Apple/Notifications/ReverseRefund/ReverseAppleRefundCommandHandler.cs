using Billing.Application.Grants;
using Billing.Application.Inbox;
using Billing.Domain.Common;
using Billing.Domain.Purchases;
using MediatR;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Apple.Notifications.ReverseRefund;

/// <summary>
/// The refund's clawbacks that were never applied are voided first, so a reversal of a clawback still pending, owed or dead
/// restores nothing (docs/decisions/0011); a clawback in flight or in doubt makes the notification wait (retried) until it
/// is settled.
/// </summary>
internal sealed class ReverseAppleRefundCommandHandler(AppleEntitlements entitlements, ClawbackReversals reversals, ILogger<ReverseAppleRefundCommandHandler> logger)
    : IRequestHandler<ReverseAppleRefundCommand, ProviderEventResult>
{
    public async Task<ProviderEventResult> Handle(ReverseAppleRefundCommand request, CancellationToken cancellationToken)
    {
        var n = request.Notification;
        if (n.Transaction is not { TransactionId: { } transactionId } transaction)
        {
            return ProviderEventResult.Ignored("the notification carries no transaction");
        }

        var reversalKey = GrantKey.ForAppleRefundReversal(transactionId, n.NotificationUuid);
        var purchase = await entitlements.FindPurchaseAsync(transactionId, cancellationToken);
        var subscription = purchase is null
            ? await entitlements.FindSubscriptionAsync(transaction.OriginalTransactionId ?? transactionId, cancellationToken)
            : null;
        var paymentKey = GrantKey.ForAppleTransaction(transactionId);
        var refunded = purchase?.Status is PurchaseStatus.Refunded or PurchaseStatus.PartiallyRefunded
            || subscription?.PaidPeriods.Any(p => p.GrantKey == paymentKey.Value && p.RefundedAt is not null) == true;
        if (!refunded)
        {
            return ProviderEventResult.Ignored($"transaction {transactionId} has no refund to reverse");
        }

        var debited = Credits.Of(await reversals.VoidUnappliedAsync(
            $"{GrantKey.ForAppleRefund(transactionId).Value}:",
            $"{GrantKey.ForAppleRefundReversal(transactionId).Value}:",
            $"voided: the refund was reversed (notification {n.NotificationUuid}) before this clawback was applied",
            cancellationToken));
        var reversed = purchase is not null
            ? purchase.ReverseRefund(reversalKey, debited, n.OccurredAt)
            : subscription!.ReversePeriodRefund(paymentKey, reversalKey, debited, n.OccurredAt);
        logger.LogInformation("Apple REFUND_REVERSED for transaction {TransactionId}: {Credits} credits that were debited are restored", transactionId, debited.Value);
        return reversed ? ProviderEventResult.Processed() : ProviderEventResult.Ignored($"transaction {transactionId} has no refund to reverse");
    }
}
