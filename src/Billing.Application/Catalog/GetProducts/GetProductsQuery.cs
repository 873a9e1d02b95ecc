using Billing.Application.Abstractions.Messaging;

namespace Billing.Application.Catalog.GetProducts;

public sealed record GetProductsQuery : IQuery<ProductsResponse>;

public sealed record ProductsResponse(IReadOnlyList<ProductResponse> Products);

public sealed record ProductResponse(string ProductId, string Name, string Kind, int Credits, long PriceCents, string PriceDisplay, string Currency, string? Interval);
