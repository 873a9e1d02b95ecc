using Microsoft.Extensions.Configuration;
using Spectre.Console;

namespace Billing.Cli;

internal static class CliProgram
{
    public static async Task<int> Main(string[] args)
    {
        // The same configuration variables as the service (DATABASE_URL, ...), read from the environment.
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        await using var context = new CliContext(configuration, AnsiConsole.Console, Console.Out, Console.Error, Console.In, Console.IsInputRedirected, CliContext.OsUser());
        return await BillingCli.RunAsync(args, context);
    }
}
