using Billing.Application.Abstractions.Persistence;
using Billing.Application.Behaviours;
using Billing.Application.Catalog.GetProducts;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;

namespace Billing.Application.Tests.Architecture;

public sealed class PipelineOrderTests
{
    [Fact]
    public void Behaviours_ResolveInOrder_LoggingThenValidationThenUnitOfWork()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddBillingApplication();
        services.AddSingleton(Substitute.For<IBillingDbContext>());
        using var provider = services.BuildServiceProvider();
        using var scope = provider.CreateScope();

        var behaviours = scope.ServiceProvider.GetServices<IPipelineBehavior<GetProductsQuery, ProductsResponse>>().Select(b => b.GetType().GetGenericTypeDefinition()).ToList();

        Assert.Equal([typeof(LoggingBehaviour<,>), typeof(ValidationBehaviour<,>), typeof(UnitOfWorkBehaviour<,>)], behaviours);
    }
}
