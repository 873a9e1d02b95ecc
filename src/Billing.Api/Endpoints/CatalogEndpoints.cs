using System.Text.Json;
using Billing.Application.Catalog.GetProducts;
using MediatR;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Billing.Api.Endpoints;

internal static class CatalogEndpoints
{
    public static RouteGroupBuilder MapCatalogEndpoints(this RouteGroupBuilder group)
    {
        group.MapGet("/products", async (IMediator mediator, CatalogJsonCache cache, CancellationToken ct) =>
                Results.Bytes(await cache.GetAsync(mediator, ct), "application/json"))
            .Produces<ProductsResponse>()
            .WithName("GetProducts")
            .WithSummary("The product catalog: credit packs and monthly subscription tiers.");
        return group;
    }
}

/// <summary>
/// The catalog is fixed at build time, so its JSON is serialised once and served as bytes: the most-read route
/// (every app start) costs no serialisation. Still produced by the query, so there is one source of the answer.
/// </summary>
internal sealed class CatalogJsonCache(IOptions<JsonOptions> jsonOptions)
{
    private byte[]? _json;

    public async ValueTask<byte[]> GetAsync(IMediator mediator, CancellationToken cancellationToken)
    {
        if (_json is { } cached)
        {
            return cached;
        }

        var response = await mediator.Send(new GetProductsQuery(), cancellationToken);
        return _json = JsonSerializer.SerializeToUtf8Bytes(response, jsonOptions.Value.SerializerOptions);
    }
}
