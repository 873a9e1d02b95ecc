using System.Globalization;
using Billing.Application.Abstractions.RateLimiting;

namespace Billing.Api.Developer;

/// <summary>The IETF RateLimit headers (draft-ietf-httpapi-ratelimit-headers), set before any byte of the answer.</summary>
internal static class RateLimitHeaders
{
    public const string PolicyHeader = "RateLimit-Policy";
    public const string StateHeader = "RateLimit";

    public static void Apply(HttpResponse response, RateLimitPolicy policy, RateLimitDecision decision, bool streams)
    {
        var minute = string.Create(CultureInfo.InvariantCulture, $"\"minute\";q={policy.RequestsPerMinute};w=60");
        response.Headers[PolicyHeader] = streams
            ? string.Create(CultureInfo.InvariantCulture, $"{minute}, \"streams\";q={policy.ConcurrentStreams};qu=\"concurrent-requests\"")
            : minute;
        response.Headers[StateHeader] = string.Create(CultureInfo.InvariantCulture, $"\"minute\";r={decision.Remaining};t={decision.ResetSeconds}");
        if (!decision.Allowed)
        {
            response.Headers.RetryAfter = decision.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        }
    }
}
