using System.Text.Json;
using Billing.Application;
using Billing.Application.Audit;
using Billing.Infrastructure;
using MediatR;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Billing.Cli;

/// <summary>
/// What a verb needs: the service's container (built on first use from the same variables as the service, without its
/// background workers), the console for tables, a writer for <c>--json</c>, standard input, and who is acting.
/// </summary>
internal sealed class CliContext(
    IConfiguration configuration,
    IAnsiConsole console,
    TextWriter output,
    TextWriter error,
    TextReader input,
    bool inputRedirected,
    string osUser) : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    private ServiceProvider? _services;

    public IAnsiConsole Console { get; } = console;

    public TextWriter Output { get; } = output;

    public TextWriter Error { get; } = error;

    public TextReader Input { get; } = input;

    public bool InputRedirected { get; } = inputRedirected;

    /// <summary>Audit actor of every change made from here: <c>cli:&lt;os user&gt;</c>.</summary>
    public string Actor { get; } = AuditContext.Cli(osUser);

    public IServiceProvider Services => _services ??= Build(configuration);

    public static string OsUser() => Environment.GetEnvironmentVariable("SUDO_USER") is { Length: > 0 } sudoUser ? sudoUser : Environment.UserName;

    public AuditContext By(string reason) => new(Actor, reason);

    public async Task<T> SendAsync<T>(IRequest<T> request, CancellationToken cancellationToken)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(request, cancellationToken);
    }

    public void WriteJson(object value) => Output.WriteLine(JsonSerializer.Serialize(value, value.GetType(), Json));

    public async ValueTask DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
    }

    private static ServiceProvider Build(IConfiguration configuration)
    {
        var values = new Dictionary<string, string?> { ["BACKGROUND_WORKERS"] = "false" };
        var settings = new ConfigurationBuilder().AddConfiguration(configuration).AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(settings);
        services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace));
        services.AddBillingApplication();
        services.AddBillingInfrastructure(settings);
        return services.BuildServiceProvider();
    }
}
