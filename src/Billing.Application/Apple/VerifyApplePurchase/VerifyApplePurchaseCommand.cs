using Billing.Application.Abstractions.Messaging;

namespace Billing.Application.Apple.VerifyApplePurchase;

/// <summary>The iOS app's StoreKit 2 <c>signedTransactionInfo</c>, forwarded by flash-deploy for the calling user.</summary>
public sealed record VerifyApplePurchaseCommand(string UserId, string? SignedTransaction) : ICommand<VerifyApplePurchaseResult>
{
    /// <summary>A signed transaction with its three-certificate x5c is about 5 KB; this leaves ample room.</summary>
    public const int MaxSignedTransactionLength = 64 * 1024;
}

/// <summary>
/// <c>status</c>: <c>granted</c> (credits owed for this transaction: now, or already), <c>revoked</c> (Apple refunded or
/// revoked it: nothing granted), <c>refunded</c> (recorded earlier and refunded since).
/// <c>sandbox_not_granted</c>: a Sandbox transaction in a Production service, verified and recorded, no credits
/// (docs/decisions/0010; <c>reason</c> says why).
/// <c>already_processed</c>: this transaction was recorded before this call; nothing new was granted.
/// <c>environment</c>: the Apple environment of the transaction.
/// </summary>
public sealed record VerifyApplePurchaseResult(string Status, string ProductId, string TransactionId, int CreditsGranted, bool AlreadyProcessed, string? Environment = null, string? Reason = null)
{
    public const string SandboxNotGranted = "sandbox_not_granted";
    public const string Granted = "granted";
    public const string Revoked = "revoked";
    public const string Refunded = "refunded";
}
