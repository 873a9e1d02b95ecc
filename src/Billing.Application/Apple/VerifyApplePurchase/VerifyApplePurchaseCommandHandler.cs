using Billing.Application.Abstractions.Apple;
using Billing.Domain.Catalog;
using Billing.Domain.Common;
using MediatR;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Apple.VerifyApplePurchase;

/// <summary>
/// Verify → catalog → appAccountToken → revocation → record once per transactionId. Every refusal happens before anything is
/// written. Idempotent: the grant key is <c>apple:transaction:{transactionId}</c>, and concurrent first calls for one
/// transaction collide on the unique indexes and re-run (unit of work), where they find it recorded.
/// </summary>
internal sealed class VerifyApplePurchaseCommandHandler(
    IAppleSignedDataVerifier verifier,
    AppleEntitlements entitlements,
    TimeProvider clock,
    ILogger<VerifyApplePurchaseCommandHandler> logger)
    : IRequestHandler<VerifyApplePurchaseCommand, VerifyApplePurchaseResult>
{
    public async Task<VerifyApplePurchaseResult> Handle(VerifyApplePurchaseCommand request, CancellationToken cancellationToken)
    {
        var userId = UserId.From(request.UserId);
        var verification = verifier.VerifyTransaction(request.SignedTransaction!);
        if (!verification.IsValid)
        {
            // The reason only: the token itself is never logged.
            logger.LogWarning("Apple signed transaction from user {UserId} refused: {Failure} ({Reason})", userId.Value, verification.Failure, verification.FailureMessage);
            throw new AppleSignedDataRejectedException(verification.Failure, verification.FailureMessage);
        }

        var transaction = verification.Value;
        var transactionId = AppleEntitlements.RequireTransactionId(transaction);
        if (!AppleProducts.TryResolve(transaction, out var product, out var code, out var reason))
        {
            logger.LogWarning("Apple transaction {TransactionId} from user {UserId} refused: {Code}", transactionId, userId.Value, code);
            throw new AppleProductNotSupportedException(code, reason);
        }

        if (transaction.AppAccountToken is { } token && !AppleAccountToken.Matches(token, userId))
        {
            logger.LogWarning("Apple transaction {TransactionId}: appAccountToken does not match user {UserId}", transactionId, userId.Value);
            throw new DomainException(AppleReasonCodes.AccountTokenMismatch, "The transaction's appAccountToken does not belong to this user.");
        }

        if (transaction.RevocationDate is not null)
        {
            return await Revoked(userId, product, transaction, transactionId, cancellationToken);
        }

        if (product is CreditPack pack)
        {
            return Answer(await entitlements.RecordPackAsync(userId, pack, transaction, cancellationToken), product, transaction, userId);
        }

        // The payment's own time orders it against notifications: a transaction's signedDate is only when this copy was signed.
        var occurredAt = transaction.PurchaseDate ?? transaction.SignedDate ?? clock.GetUtcNow();
        var outcome = await entitlements.RecordSubscriptionPeriodAsync(userId, (SubscriptionTier)product, transaction, occurredAt, cancellationToken);
        return Answer(outcome, product, transaction, userId);
    }

    /// <summary>Apple took it back: nothing is granted here (a clawback of an earlier grant is the REFUND notification's job).</summary>
    private async Task<VerifyApplePurchaseResult> Revoked(UserId userId, Product product, AppleTransaction transaction, string transactionId, CancellationToken cancellationToken)
    {
        var known = product is CreditPack
            ? await entitlements.FindPurchaseAsync(transactionId, cancellationToken) is not null
            : (await entitlements.FindSubscriptionAsync(transaction.OriginalTransactionId ?? transactionId, cancellationToken))?.PaidPeriods
                .Any(p => p.GrantKey == GrantKey.ForAppleTransaction(transactionId).Value) == true;
        logger.LogInformation("Apple transaction {TransactionId} ({ProductId}) from user {UserId} is revoked; nothing granted", transactionId, product.Id, userId.Value);
        return new VerifyApplePurchaseResult(VerifyApplePurchaseResult.Revoked, product.Id, transactionId, CreditsGranted: 0, AlreadyProcessed: known, transaction.Environment);
    }

    private VerifyApplePurchaseResult Answer(AppleGrantOutcome outcome, Product product, AppleTransaction transaction, UserId userId)
    {
        var transactionId = transaction.TransactionId!;
        if (outcome.SandboxNotGranted is { } reason)
        {
            logger.LogWarning("Apple Sandbox transaction {TransactionId} ({ProductId}) from user {UserId} recorded without credits: {Reason}", transactionId, product.Id, userId.Value, reason);
            return new VerifyApplePurchaseResult(VerifyApplePurchaseResult.SandboxNotGranted, product.Id, transactionId, CreditsGranted: 0, AlreadyProcessed: !outcome.Granted && reason.StartsWith("recorded earlier", StringComparison.Ordinal), transaction.Environment, reason);
        }

        Log(outcome, transactionId, product.Id, userId);
        var status = outcome.Refunded ? VerifyApplePurchaseResult.Refunded : VerifyApplePurchaseResult.Granted;
        return new VerifyApplePurchaseResult(status, product.Id, transactionId, outcome.Credits, AlreadyProcessed: !outcome.Granted, transaction.Environment);
    }

    private void Log(AppleGrantOutcome outcome, string transactionId, string productId, UserId userId)
    {
        if (outcome.Granted)
        {
            logger.LogInformation("Apple transaction {TransactionId} ({ProductId}) recorded for user {UserId}: {Credits} credits owed", transactionId, productId, userId.Value, outcome.Credits);
        }
        else
        {
            logger.LogInformation("Apple transaction {TransactionId} ({ProductId}) was already recorded for user {UserId}; nothing granted", transactionId, productId, userId.Value);
        }
    }
}
