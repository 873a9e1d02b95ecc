using Billing.Api.Security;
using Billing.Application.Usage.GetUsage;
using MediatR;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api.Endpoints;

internal static class UsageEndpoints
{
    public static RouteGroupBuilder MapUsageEndpoints(this RouteGroupBuilder group)
    {
        group.MapGet("/usage", async (
                HttpRequest request,
                string? from,
                string? to,
                string? granularity,
                [FromQuery(Name = "key_id")] string? keyId,
                IMediator mediator,
                CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetUsageQuery(request.RequireUserId().Value, from, to, granularity, keyId), ct)))
            .WithName("GetUsage")
            .WithSummary("The user's developer API usage in UTC hour or day buckets, per key (from/to ISO 8601, widened to whole buckets).");
        return group;
    }
}
