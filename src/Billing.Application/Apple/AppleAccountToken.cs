using Billing.Domain.Common;

namespace Billing.Application.Apple;

/// <summary>
/// How a StoreKit <c>appAccountToken</c> (a UUID the app sets at purchase) names a Flash user: the token IS the Flash user id
/// (Flash ids are UUIDs; the app passes <c>UUID(uuidString: flashUserId)</c>). Comparison is by UUID value, so case and
/// braces do not matter; a token turned back into a user id is the canonical lowercase hyphenated form Flash issues.
/// A user id that is not a UUID can never match a token (such a user must buy without one). See docs/apple.md.
/// </summary>
internal static class AppleAccountToken
{
    public static bool Matches(Guid token, UserId user) => Guid.TryParse(user.Value, out var id) && id == token;

    public static UserId ToUserId(Guid token) => UserId.From(token.ToString("D"));
}
