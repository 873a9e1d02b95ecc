using System.Security.Cryptography;
using System.Text;
using Billing.Domain.Catalog;
using Billing.Domain.Common;

namespace Billing.Application.Stripe;

/// <summary>The metadata keys this service writes on Stripe objects, and how it reads them back.</summary>
public static class StripeMetadata
{
    /// <summary>Flash user id, on the Checkout Session, its PaymentIntent/Subscription and the Customer.</summary>
    public const string UserId = "user_id";

    /// <summary>Catalog product id (<c>com.timepoint.flash.…</c>), on the Checkout Session and its PaymentIntent/Subscription.</summary>
    public const string ProductId = "product_id";

    /// <summary>The first source that names a user, or null.</summary>
    public static string? FindUserId(params ReadOnlySpan<IReadOnlyDictionary<string, string>?> sources)
    {
        foreach (var source in sources)
        {
            if (source is not null && source.TryGetValue(UserId, out var value) && !string.IsNullOrWhiteSpace(value))
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>The first catalog product named by a source (unknown ids are skipped), or null.</summary>
    public static Product? FindProduct(params ReadOnlySpan<IReadOnlyDictionary<string, string>?> sources)
    {
        foreach (var source in sources)
        {
            if (source is not null && source.TryGetValue(ProductId, out var value) && ProductCatalog.TryFind(value, out var product))
            {
                return product;
            }
        }

        return null;
    }
}

/// <summary>
/// Idempotency keys for Stripe POSTs. Stripe replays the first result for a key for 24 h, so a key must name one logical
/// operation: the same user's customer, the same checkout attempt. Long inputs are hashed to stay within 255 characters.
/// </summary>
public static class StripeIdempotencyKeys
{
    /// <summary>One Stripe customer per user: concurrent or retried creations get the same customer back.</summary>
    public static string Customer(UserId userId) =>
        userId.Value.Length <= 200 ? "customer:" + userId.Value : "customer:sha256:" + Hash(userId.Value);

    /// <summary>The fallback when <see cref="Customer(UserId)"/> was used with other parameters (another email) within 24 h.</summary>
    public static string Customer(UserId userId, string? email) => "customer:" + Hash($"{userId.Value}\n{email}");

    /// <summary>One checkout session per (user, product, caller's attempt key).</summary>
    public static string Checkout(UserId userId, string productId, string attemptKey) =>
        "checkout:" + Hash($"{userId.Value}\n{productId}\n{attemptKey}");

    public static string Portal(UserId userId, Guid attempt) => "portal:" + Hash($"{userId.Value}\n{attempt:N}");

    private static string Hash(string value) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}
