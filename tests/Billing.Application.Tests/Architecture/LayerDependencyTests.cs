using System.Reflection;
using Billing.Application.Abstractions.Persistence;
using Billing.Domain.Common;

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
    public void DomainTypes_UseNoForbiddenNamespacesInTheirSignatures()
    {
        var offenders = Domain.GetTypes()
            .SelectMany(t => t.GetMembers(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .SelectMany(MemberTypes)
                .Where(type => type.Namespace is { } ns && (ns.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal) || ns.StartsWith("MediatR", StringComparison.Ordinal)))
                .Select(type => $"{t.Name} uses {type.FullName}"))
            .ToList();
        Assert.Empty(offenders);
    }

    internal static List<string> ForbiddenReferences(Assembly assembly, params string[] forbiddenPrefixes) =>
        [.. assembly.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(name => forbiddenPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal)))];

    private static IEnumerable<Type> MemberTypes(MemberInfo member) => member switch
    {
        FieldInfo field => [field.FieldType],
        PropertyInfo property => [property.PropertyType],
        MethodInfo method => [method.ReturnType, .. method.GetParameters().Select(p => p.ParameterType)],
        ConstructorInfo ctor => ctor.GetParameters().Select(p => p.ParameterType),
        _ => [],
    };
}
