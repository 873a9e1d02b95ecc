using Billing.Api.Security;
using Billing.Application.Status.GetBillingStatus;
using MediatR;

namespace Billing.Api.Endpoints;

internal static class StatusEndpoints
{
    public static RouteGroupBuilder MapStatusEndpoints(this RouteGroupBuilder group)
    {
        group.MapGet("/status", async (HttpRequest request, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetBillingStatusQuery(request.RequireUserId().Value), ct)))
            .WithName("GetBillingStatus")
            .WithSummary("The user's subscriptions, purchases and credit grants (pending, delivered, dead).");
        return group;
    }
}
