using System.Reflection;
using Billing.Application.Abstractions.Apple;
using Billing.Application.Abstractions.Persistence;
using Billing.Application.Abstractions.Stripe;
using Billing.Application.Abstractions.Usage;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;

namespace Billing.Application.Tests.Architecture;

/// <summary>Every MediatR request in the Application assembly has exactly one handler, and the container resolves it.</summary>
public sealed class HandlerRegistrationTests
{
    private static readonly Assembly Application = typeof(IBillingDbContext).Assembly;

    public static IEnumerable<object[]> Requests() => RequestTypes().Select(t => new object[] { t });

    [Fact]
    public void TheApplicationHasRequests()
    {
        Assert.NotEmpty(RequestTypes());
    }

    [Theory]
    [MemberData(nameof(Requests))]
    public void EveryRequest_HasExactlyOneHandler_AndItResolves(Type requestType)
    {
        var responseType = ResponseType(requestType);
        var handlerInterface = typeof(IRequestHandler<,>).MakeGenericType(requestType, responseType);
        var handlers = Application.GetTypes().Where(t => !t.IsAbstract && handlerInterface.IsAssignableFrom(t)).ToList();
        Assert.Single(handlers);

        using var provider = BuildProvider();
        using var scope = provider.CreateScope();
        Assert.Single(scope.ServiceProvider.GetServices(handlerInterface));
    }

    [Fact]
    public void TheRegistrationCheck_FailsForARequestWithoutAHandler()
    {
        using var provider = BuildProvider();
        using var scope = provider.CreateScope();
        var handlerInterface = typeof(IRequestHandler<,>).MakeGenericType(typeof(OrphanRequest), typeof(int));
        Assert.Empty(scope.ServiceProvider.GetServices(handlerInterface));
    }

    [Fact]
    public void HandlersAndValidators_AreInternalSealed()
    {
        var offenders = Application.GetTypes()
            .Where(t => !t.IsAbstract && (t.Name.EndsWith("Handler", StringComparison.Ordinal) || t.Name.EndsWith("Validator", StringComparison.Ordinal)))
            .Where(t => t.IsPublic || !t.IsSealed)
            .Select(t => t.FullName)
            .ToList();
        Assert.Empty(offenders);
    }

    internal sealed record OrphanRequest : IRequest<int>;

    private static ServiceProvider BuildProvider()
    {
        var services = new ServiceCollection();
        services.AddSingleton(Substitute.For<IAppleSignedDataVerifier>()); // Apple port, provided by Infrastructure
        services.AddSingleton(Substitute.For<Billing.Application.Abstractions.Apple.IAppleNotificationBodyReader>()); // Apple body port, provided by Infrastructure
        services.AddSingleton(Substitute.For<Billing.Application.Abstractions.Inbox.IStoredPayloadMasker>()); // payload masking port, provided by Infrastructure
        services.AddSingleton(Substitute.For<Billing.Application.Abstractions.Security.IPasswordHasher>()); // password port, provided by Infrastructure
        services.AddLogging();
        services.AddBillingApplication();
        services.AddSingleton(Substitute.For<IBillingDbContext>());

        // Ports the Infrastructure layer provides.
        services.AddSingleton(Substitute.For<IStripeClient>());
        services.AddSingleton(Substitute.For<IStripeEventReader>());
        services.AddSingleton(new StripeSettings(null, null, null, null));
        services.AddSingleton(Billing.Application.Stripe.StripePriceMap.Empty); // Stripe price map, read by Infrastructure
        services.AddSingleton(AppleSandboxPolicy.Unrestricted); // Apple Sandbox policy, read by Infrastructure
        services.AddSingleton(Substitute.For<Billing.Application.Abstractions.Attention.IAttentionList>()); // attention port
        services.AddSingleton(Substitute.For<Billing.Application.Abstractions.ApiKeys.IApiKeyDirectory>());
        services.AddSingleton(Substitute.For<Billing.Application.Abstractions.ApiKeys.IDeveloperTierLookup>());
        services.AddSingleton(Substitute.For<Billing.Application.Abstractions.ApiKeys.IDeveloperLimits>());
        services.AddSingleton(Substitute.For<Billing.Application.Abstractions.ApiKeys.IApiKeyUsageTracker>());
        services.AddSingleton(Substitute.For<Billing.Application.Abstractions.ApiKeys.IApiKeyOwnerLock>());
        services.AddSingleton(Substitute.For<Billing.Application.Abstractions.RateLimiting.IRequestRateLimiter>());
        services.AddSingleton(new Billing.Application.Abstractions.ApiKeys.ApiKeyOptions(10));
        services.AddSingleton(Substitute.For<IUsageQueries>());
        services.AddSingleton(Substitute.For<Billing.Application.Abstractions.Inbox.IInboxIntake>());
        services.AddSingleton(Substitute.For<Billing.Application.Abstractions.Reconciliation.IReconciliationLock>()); // advisory lock port
        return services.BuildServiceProvider();
    }

    private static List<Type> RequestTypes() =>
        [.. Application.GetTypes().Where(t => !t.IsAbstract && !t.IsInterface && t.GetInterfaces().Any(IsRequestInterface))];

    private static bool IsRequestInterface(Type i) => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IRequest<>);

    private static Type ResponseType(Type requestType) => requestType.GetInterfaces().First(IsRequestInterface).GetGenericArguments()[0];
}
