using System.Diagnostics.CodeAnalysis;
using Billing.Application.Abstractions.Apple;
using Billing.Domain.Catalog;

namespace Billing.Application.Apple;

/// <summary>Maps a verified transaction to our catalog: the productId must be ours and the App Store product type must match.</summary>
internal static class AppleProducts
{
    public const string Consumable = "Consumable";
    public const string AutoRenewable = "Auto-Renewable Subscription";
    public const string FamilyShared = "FAMILY_SHARED";

    /// <summary>Apple allows up to 10 of a consumable in one transaction; anything outside 1..10 is not a purchase we understand.</summary>
    public const int MaxQuantity = 10;

    public static bool TryResolve(AppleTransaction transaction, [NotNullWhen(true)] out Product? product, [NotNullWhen(false)] out string? code, [NotNullWhen(false)] out string? reason)
    {
        code = null;
        reason = null;
        if (!ProductCatalog.TryFind(transaction.ProductId, out product))
        {
            (code, reason) = (AppleReasonCodes.UnknownProduct, $"Product '{transaction.ProductId}' is not in the catalog.");
            return false;
        }

        var expectedType = product.Kind == ProductKind.Pack ? Consumable : AutoRenewable;
        if (!string.Equals(transaction.Type, expectedType, StringComparison.Ordinal))
        {
            (code, reason) = (AppleReasonCodes.ProductTypeMismatch, $"Product '{product.Id}' is sold as '{expectedType}', the transaction says '{transaction.Type}'.");
            product = null;
            return false;
        }

        if (string.Equals(transaction.InAppOwnershipType, FamilyShared, StringComparison.Ordinal))
        {
            // One payment, one grant: a family member's copy of a purchase carries no credits of its own.
            (code, reason) = (AppleReasonCodes.FamilyShared, "A family-shared transaction grants no credits; the purchaser's transaction does.");
            product = null;
            return false;
        }

        if (product is CreditPack && transaction.Quantity is < 1 or > MaxQuantity)
        {
            (code, reason) = (AppleReasonCodes.InvalidQuantity, $"A consumable transaction has a quantity between 1 and {MaxQuantity}.");
            product = null;
            return false;
        }

        return true;
    }
}
