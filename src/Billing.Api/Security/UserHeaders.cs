using Billing.Domain.Common;

namespace Billing.Api.Security;

/// <summary>The user identity flash-deploy forwards on internal routes.</summary>
internal static class UserHeaders
{
    public const string UserIdHeader = "X-User-Id";
    public const string UserEmailHeader = "X-User-Email";

    /// <summary>The X-User-Id header as a domain UserId; missing or malformed → 400 through the error mapper.</summary>
    public static UserId RequireUserId(this HttpRequest request) => UserId.From(request.Headers[UserIdHeader].ToString());

    public static string? UserEmail(this HttpRequest request)
    {
        var email = request.Headers[UserEmailHeader].ToString().Trim();
        return email.Length is > 0 and <= 320 ? email : null;
    }
}
