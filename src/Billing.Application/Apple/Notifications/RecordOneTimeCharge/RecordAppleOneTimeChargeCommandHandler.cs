using Billing.Application.Apple.VerifyApplePurchase;
using Billing.Application.Inbox;
using Billing.Domain.Catalog;
using MediatR;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Apple.Notifications.RecordOneTimeCharge;

/// <summary>Records the pack bought under the transaction's token, unless the verify route or an earlier notification did.</summary>
internal sealed class RecordAppleOneTimeChargeCommandHandler(
    AppleEntitlements entitlements,
    AppleBuyers buyers,
    ILogger<RecordAppleOneTimeChargeCommandHandler> logger)
    : IRequestHandler<RecordAppleOneTimeChargeCommand, ProviderEventResult>
{
    public async Task<ProviderEventResult> Handle(RecordAppleOneTimeChargeCommand request, CancellationToken cancellationToken)
    {
        var n = request.Notification;
        if (!n.TryGrantableTransaction(out var transaction, out var transactionId, out var product, out var ignored))
        {
            return ProviderEventResult.Ignored(ignored);
        }

        if (product is not CreditPack pack)
        {
            return ProviderEventResult.Ignored($"product '{product.Id}' is not a credit pack");
        }

        var known = await entitlements.FindPurchaseAsync(transactionId, cancellationToken);
        if (known is not null)
        {
            return ProviderEventResult.Ignored($"transaction {transactionId} was already granted (verify route or an earlier notification)");
        }

        var userId = await buyers.ResolveAsync(n, knownOwner: null, cancellationToken);
        if (userId is null)
        {
            return await buyers.UnattributableAsync(n, transactionId, n.UnknownUser, cancellationToken);
        }

        var recorded = await entitlements.RecordPackAsync(userId.Value, pack, transaction, cancellationToken);
        if (recorded.SandboxNotGranted is { } sandboxReason)
        {
            return ProviderEventResult.Ignored($"{VerifyApplePurchaseResult.SandboxNotGranted}: {sandboxReason} (purchase recorded, nothing granted)");
        }

        logger.LogInformation("Apple ONE_TIME_CHARGE {TransactionId} ({ProductId}) granted to user {UserId}", transactionId, pack.Id, userId.Value.Value);
        return ProviderEventResult.Processed();
    }
}
