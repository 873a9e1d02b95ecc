using Billing.Application.Abstractions.Usage;
using MediatR;

namespace Billing.Application.Usage.GetUsage;

internal sealed class GetUsageQueryHandler(IUsageQueries usage, TimeProvider time) : IRequestHandler<GetUsageQuery, UsageResponse>
{
    public async Task<UsageResponse> Handle(GetUsageQuery request, CancellationToken cancellationToken)
    {
        UsageWindow.TryParseGranularity(request.Granularity, out var granularity);
        var (from, to) = UsageWindow.Resolve(request.From, request.To, granularity, time.GetUtcNow());
        var buckets = await usage.GetBucketsAsync(request.UserId, request.KeyId, from, to, granularity, cancellationToken);
        return new UsageResponse([.. buckets.Select(b => new UsageBucketResponse(b.Start, b.KeyId, b.Requests, b.Succeeded, b.Failed, b.RateLimited, b.Credits))]);
    }
}
