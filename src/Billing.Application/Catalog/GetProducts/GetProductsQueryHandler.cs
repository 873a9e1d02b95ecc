using Billing.Domain.Catalog;
using MediatR;

namespace Billing.Application.Catalog.GetProducts;

internal sealed class GetProductsQueryHandler : IRequestHandler<GetProductsQuery, ProductsResponse>
{
    // The catalog is fixed at compile time, so the answer is built once.
    private static readonly ProductsResponse Response = new([.. ProductCatalog.All.Select(ToResponse)]);

    public Task<ProductsResponse> Handle(GetProductsQuery request, CancellationToken cancellationToken) => Task.FromResult(Response);

    private static ProductResponse ToResponse(Product product) => new(
        product.Id,
        product.Name,
        product.Kind == ProductKind.Pack ? "pack" : "subscription",
        product.Credits.Value,
        product.Price.MinorUnits,
        product.Price.Display(),
        product.Price.Currency,
        product.Kind == ProductKind.Subscription ? "month" : null);
}
