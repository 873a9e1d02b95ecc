using System.Reflection;
using Billing.Application.Abstractions.Persistence;
using Billing.Domain.Common;
using NetArchTest.Rules;

namespace Billing.Application.Tests.Architecture;

/// <summary>
/// The layer rules, checked by reflection over the assemblies' references and the types they use.
/// Each rule was seen failing once (a reference added on purpose) before it was trusted; <see cref="ForbiddenReferences"/>
/// keeps that check in the suite by running the same rule over an assembly known to break it.
/// </summary>
public sealed class LayerDependencyTests
{
    private static readonly Assembly Domain = typeof(AggregateRoot).Assembly;
    private static readonly Assembly Application = typeof(IBillingDbContext).Assembly;
    private static readonly Assembly Infrastructure = typeof(Billing.Infrastructure.DependencyInjection).Assembly;
    private static readonly Assembly Api = typeof(Program).Assembly;

    [Fact]
    public void Domain_ReferencesNoOtherLayerNoEfCoreAndNoMediatR()
    {
        var forbidden = ForbiddenReferences(Domain, "Billing.Application", "Billing.Infrastructure", "Billing.Api", "Microsoft.EntityFrameworkCore", "MediatR", "Microsoft.AspNetCore", "Npgsql", "FluentValidation");
        Assert.Empty(forbidden);
    }

    [Fact]
    public void Domain_ReferencesOnlyTheBaseLibrary()
    {
        var references = Domain.GetReferencedAssemblies().Select(a => a.Name!).Where(n => !n.StartsWith("System", StringComparison.Ordinal) && n != "netstandard").ToList();
        Assert.Empty(references);
    }

    [Fact]
    public void Application_DoesNotReferenceInfrastructureOrApi()
    {
        Assert.Empty(ForbiddenReferences(Application, "Billing.Infrastructure", "Billing.Api", "Npgsql", "Microsoft.AspNetCore"));
    }

    [Fact]
    public void Infrastructure_DoesNotReferenceApi()
    {
        Assert.Empty(ForbiddenReferences(Infrastructure, "Billing.Api"));
    }

    [Fact]
    public void TheRuleItself_CatchesAForbiddenReference()
    {
        // The Api references Infrastructure by design: the same rule must report it, or the rule proves nothing.
        Assert.Contains("Billing.Infrastructure", ForbiddenReferences(Api, "Billing.Infrastructure"));
        Assert.Contains("MediatR", ForbiddenReferences(Application, "MediatR"));
    }

    [Fact]
    public void DomainTypes_UseNoForbiddenNamespaces_InSignaturesOrBodies()
    {
        var result = Types.InAssembly(Domain).ShouldNot().HaveDependencyOnAny("Microsoft.EntityFrameworkCore", "MediatR", "FluentValidation", "System.Text.Json").GetResult();
        Assert.True(result.IsSuccessful, Offenders(result));
    }

    [Fact]
    public void ApplicationTypes_UseNoProviderSdkAndNoWebOrDatabaseDriver()
    {
        // Provider wire formats and SDKs stay in Infrastructure: the Application sees our own records only.
        var result = Types.InAssembly(Application).ShouldNot().HaveDependencyOnAny("Stripe", "Npgsql", "Microsoft.AspNetCore", "System.Net.Http").GetResult();
        Assert.True(result.IsSuccessful, Offenders(result));
    }

    [Fact]
    public void TheStripeUseCasesAndTheirPort_ParseNoJson()
    {
        // Stripe's wire format (the event envelope, the objects, the signature) is read in Infrastructure/Stripe only.
        var result = Types.InAssembly(Application)
            .That().ResideInNamespace("Billing.Application.Stripe").Or().ResideInNamespace("Billing.Application.Abstractions.Stripe")
            .ShouldNot().HaveDependencyOn("System.Text.Json")
            .GetResult();
        Assert.True(result.IsSuccessful, Offenders(result));
    }

    [Fact]
    public void TheTypeRuleItself_CatchesAForbiddenDependency()
    {
        // The Api's endpoints use MediatR by design: the same kind of rule must report them, or the rules above prove nothing.
        var result = Types.InAssembly(Api).ShouldNot().HaveDependencyOn("MediatR").GetResult();
        Assert.False(result.IsSuccessful);
        Assert.NotEmpty(result.FailingTypeNames ?? []);
    }

    private static string Offenders(TestResult result) => string.Join(", ", result.FailingTypeNames ?? []);

    internal static List<string> ForbiddenReferences(Assembly assembly, params string[] forbiddenPrefixes) =>
        [.. assembly.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(name => forbiddenPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal)))];

}
