using System.CommandLine;
using Billing.Infrastructure.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Billing.Cli.Commands;

internal static class MigrateCommand
{
    public static Command Build(CliContext context)
    {
        var command = new Command("migrate", "Apply the database migrations the service would apply at start-up.");
        command.SetAction((parse, ct) => BillingCli.Guard(context, async () =>
        {
            var migrator = context.Services.GetRequiredService<SchemaMigrator>();
            await migrator.MigrateAsync(ct);
            if (parse.GetValue(BillingCli.JsonOption))
            {
                context.WriteJson(new { migrated = true, version = SchemaMigrator.LatestVersion });
            }
            else
            {
                context.Console.MarkupLine($"[green]Database is at migration {SchemaMigrator.LatestVersion}.[/]");
            }

            return BillingCli.Ok;
        }));
        return command;
    }
}
