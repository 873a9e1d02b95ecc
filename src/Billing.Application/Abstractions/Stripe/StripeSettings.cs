namespace Billing.Application.Abstractions.Stripe;

/// <summary>
/// What the Stripe use cases need from configuration besides the adapter's keys: where Checkout sends the customer
/// back (<c>SUCCESS_URL</c>, <c>CANCEL_URL</c>), where the billing portal returns (<c>STRIPE_PORTAL_RETURN_URL</c>,
/// else the origin of <c>SUCCESS_URL</c>), and which mode the secret key is for (events of the other mode are ignored).
/// Values are kept raw; the use cases refuse to run (503) when what they need is missing or malformed.
/// </summary>
public sealed record StripeSettings(string? SuccessUrl, string? CancelUrl, string? PortalReturnUrl, bool? Livemode)
{
    public const string SuccessUrlVariable = "SUCCESS_URL";
    public const string CancelUrlVariable = "CANCEL_URL";
    public const string PortalReturnUrlVariable = "STRIPE_PORTAL_RETURN_URL";

    /// <summary><c>sk_live_…</c>/<c>rk_live_…</c> → true, <c>sk_test_…</c>/<c>rk_test_…</c> → false, anything else → unknown.</summary>
    public static bool? LivemodeOfKey(string? secretKey) => secretKey?.Trim() switch
    {
        { } key when key.StartsWith("sk_live_", StringComparison.Ordinal) || key.StartsWith("rk_live_", StringComparison.Ordinal) => true,
        { } key when key.StartsWith("sk_test_", StringComparison.Ordinal) || key.StartsWith("rk_test_", StringComparison.Ordinal) => false,
        _ => null,
    };

    /// <exception cref="StripeNotConfiguredException">SUCCESS_URL or CANCEL_URL is missing or not an absolute http(s) URL.</exception>
    public (Uri Success, Uri Cancel) RequireCheckoutUrls() =>
        (RequireUrl(SuccessUrl, SuccessUrlVariable), RequireUrl(CancelUrl, CancelUrlVariable));

    /// <exception cref="StripeNotConfiguredException">Neither STRIPE_PORTAL_RETURN_URL nor SUCCESS_URL is usable.</exception>
    public Uri RequirePortalReturnUrl()
    {
        if (PortalReturnUrl is not null)
        {
            return RequireUrl(PortalReturnUrl, PortalReturnUrlVariable);
        }

        var success = RequireUrl(SuccessUrl, SuccessUrlVariable);
        return new Uri(success.GetLeftPart(UriPartial.Authority) + "/");
    }

    internal static bool TryParseHttpUrl(string? text, out Uri url)
    {
        url = null!;
        if (string.IsNullOrWhiteSpace(text)
            || !Uri.TryCreate(text.Trim(), UriKind.Absolute, out var parsed)
            || (parsed.Scheme != Uri.UriSchemeHttps && parsed.Scheme != Uri.UriSchemeHttp)
            || !string.IsNullOrEmpty(parsed.UserInfo))
        {
            return false;
        }

        url = parsed;
        return true;
    }

    private static Uri RequireUrl(string? text, string variable) =>
        TryParseHttpUrl(text, out var url)
            ? url
            : throw new StripeNotConfiguredException($"{variable} is not configured as an absolute http(s) URL.");
}
