using Billing.Application.Abstractions.ApiKeys;
using Billing.Application.Abstractions.RateLimiting;
using Billing.Domain.ApiKeys;
using MediatR;

namespace Billing.Application.ApiKeys.VerifyApiKey;

internal sealed class VerifyApiKeyQueryHandler(
    IApiKeyDirectory directory,
    IDeveloperTierLookup tiers,
    IDeveloperLimits limits,
    IRequestRateLimiter limiter,
    IApiKeyUsageTracker usage,
    TimeProvider clock) : IRequestHandler<VerifyApiKeyQuery, VerifyApiKeyResult>
{
    public async Task<VerifyApiKeyResult> Handle(VerifyApiKeyQuery request, CancellationToken cancellationToken)
    {
        // A typo or a foreign string never reaches storage.
        if (!ApiKeySecret.TryParse(request.Key, out var secret))
        {
            return VerifyApiKeyResult.Refused(VerifyCode.Malformed);
        }

        var stored = await directory.FindByHashAsync(secret.Hash(), cancellationToken);
        if (stored is null)
        {
            return VerifyApiKeyResult.Refused(VerifyCode.NotFound);
        }

        var now = clock.GetUtcNow();
        switch (stored.StatusAt(now))
        {
            case ApiKeyStatus.Revoked:
                return VerifyApiKeyResult.Refused(VerifyCode.Revoked);
            case ApiKeyStatus.Expired:
                return VerifyApiKeyResult.Refused(VerifyCode.Expired);
            default:
                break;
        }

        var tier = await tiers.GetTierAsync(stored.OwnerId, cancellationToken);
        var policy = limits.For(tier);
        var decision = await limiter.TryAcquireAsync(stored.OwnerId.Value, policy, cancellationToken);
        usage.MarkUsed(stored.Id, now);
        return new VerifyApiKeyResult(decision.Allowed ? VerifyCode.Valid : VerifyCode.RateLimited, stored.Id, stored.OwnerId, stored.Mode, tier, policy, decision);
    }
}
