using Billing.Application.Catalog.GetProducts;
using MediatR;

namespace Billing.Api.Endpoints;

internal static class CatalogEndpoints
{
    public static RouteGroupBuilder MapCatalogEndpoints(this RouteGroupBuilder group)
    {
        group.MapGet("/products", async (IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new GetProductsQuery(), ct)))
            .WithName("GetProducts")
            .WithSummary("The product catalog: credit packs and monthly subscription tiers.");
        return group;
    }
}
