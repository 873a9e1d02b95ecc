using System.Reflection;
using Billing.Application.Abstractions.Persistence;
using NetArchTest.Rules;

namespace Billing.Application.Tests.Architecture;

/// <summary>
/// No file under src/Billing.Application parses a provider's wire format (issue 13): Stripe events and objects, Apple
/// notification bodies, Flash answers and errors, and the stored payloads shown to operators are all read in
/// Infrastructure, and the Application sees plain records of our own.
/// </summary>
public sealed class ProviderWireFormatTests
{
    private static readonly Assembly Application = typeof(IBillingDbContext).Assembly;
    private static readonly Assembly Infrastructure = typeof(Billing.Infrastructure.DependencyInjection).Assembly;

    /// <summary>The System.Text.Json types that read JSON: a document, a node tree, the reader, and the parse error.</summary>
    private static readonly string[] ParsingTypes =
    [
        "System.Text.Json.JsonDocument",
        "System.Text.Json.Nodes",
        "System.Text.Json.Utf8JsonReader",
        "System.Text.Json.JsonException",
        "System.Text.Json.JsonSerializer",
    ];

    /// <summary>
    /// The only Application types allowed to name <c>JsonElement</c>, each because it only carries a value from one
    /// Infrastructure adapter to another or to the caller, never reads it: the generation relay body (the developer's JSON,
    /// passed through to Flash and Flash's answer back: the relay does not interpret it) and Flash's cost table (read by
    /// Infrastructure's CreditCostTable).
    /// </summary>
    private static readonly string[] PassThroughJsonElement =
    [
        "Billing.Application.Abstractions.Flash.IFlashRelayClient",
        "Billing.Application.Abstractions.Flash.IFlashLedgerClient",
    ];

    /// <summary>Serializes our own audit details to a JSON column; it parses nothing.</summary>
    private const string AuditWriter = "Billing.Application.Audit.AuditTrail";

    [Fact]
    public void ApplicationTypes_UseNoJsonParsingType()
    {
        var result = Types.InAssembly(Application)
            .That().DoNotHaveNameMatching("^AuditTrail$")
            .ShouldNot().HaveDependencyOnAny(ParsingTypes)
            .GetResult();
        Assert.True(result.IsSuccessful, Offenders(result));
    }

    [Fact]
    public void TheAuditWriter_OnlySerializes()
    {
        Assert.NotNull(Application.GetType(AuditWriter, throwOnError: false));
        var result = Types.InAssembly(Application)
            .That().HaveName("AuditTrail").And().ResideInNamespace("Billing.Application.Audit")
            .ShouldNot().HaveDependencyOnAny("System.Text.Json.JsonDocument", "System.Text.Json.Nodes", "System.Text.Json.Utf8JsonReader", "System.Text.Json.JsonElement", "System.Text.Json.JsonException")
            .GetResult();
        Assert.True(result.IsSuccessful, Offenders(result));
    }

    [Fact]
    public void JsonElement_AppearsOnlyInThePassThroughPorts()
    {
        var offenders = Types.InAssembly(Application)
            .That().HaveDependencyOn("System.Text.Json.JsonElement")
            .GetTypes()
            .Select(t => t.FullName!)
            .Where(name => !PassThroughJsonElement.Contains(name, StringComparer.Ordinal))
            .ToList();
        Assert.Empty(offenders);
    }

    [Fact]
    public void TheRuleItself_CatchesJsonParsing()
    {
        // Infrastructure reads the providers' JSON by design: the same rule must report it, or the rules above prove nothing.
        var result = Types.InAssembly(Infrastructure)
            .That().ResideInNamespaceStartingWith("Billing.Infrastructure.Apple")
            .ShouldNot().HaveDependencyOnAny(ParsingTypes)
            .GetResult();
        Assert.False(result.IsSuccessful);
        Assert.Contains("Billing.Infrastructure.Apple.AppleNotificationBodyReader", result.FailingTypeNames ?? []);
    }

    private static string Offenders(TestResult result) => string.Join(", ", result.FailingTypeNames ?? []);
}
