using System.CommandLine;
using Billing.Application.Common;
using Billing.Cli.Commands;
using Billing.Domain.Common;
using FluentValidation;
using Npgsql;

namespace Billing.Cli;

/// <summary>The <c>billing</c> command tree. Tests invoke it in-process with their own context.</summary>
internal static class BillingCli
{
    public const int Ok = 0;
    public const int Refused = 1;
    public const int BadInput = 2;

    public static readonly Option<bool> JsonOption = new("--json") { Description = "Write JSON for scripts instead of tables.", Recursive = true };

    public static RootCommand Build(CliContext context)
    {
        var root = new RootCommand("billing: the operator CLI of timepoint-billing (same configuration variables as the service).");
        root.Options.Add(JsonOption);
        root.Subcommands.Add(MigrateCommand.Build(context));
        root.Subcommands.Add(OperatorCommands.Build(context));
        root.Subcommands.Add(GrantCommands.Build(context));
        root.Subcommands.Add(InboxCommands.Build(context));
        root.Subcommands.Add(AuditCommands.Build(context));
        root.Subcommands.Add(ReconcileCommands.Build(context));
        root.Subcommands.Add(AttentionCommands.Build(context));
        root.Subcommands.Add(KeyCommands.Build(context));
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken = default)
    {
        var parsed = Build(context).Parse(args);
        return await parsed.InvokeAsync(new InvocationConfiguration { Output = context.Output, Error = context.Error }, cancellationToken);
    }

    /// <summary>Runs a verb; what an operator can get wrong becomes a one-line message and an exit code, not a stack trace.</summary>
    public static async Task<int> Guard(CliContext context, Func<Task<int>> verb)
    {
        try
        {
            return await verb();
        }
        catch (ValidationException validation)
        {
            foreach (var failure in validation.Errors)
            {
                await context.Error.WriteLineAsync($"error: {failure.PropertyName}: {failure.ErrorMessage}");
            }

            return BadInput;
        }
        catch (InvalidDomainValueException invalid)
        {
            await context.Error.WriteLineAsync($"error: {invalid.Code}: {invalid.Message}");
            return BadInput;
        }
        catch (DomainException rule)
        {
            await context.Error.WriteLineAsync($"refused: {rule.Code}: {rule.Message}");
            return Refused;
        }
        catch (NotFoundException notFound)
        {
            await context.Error.WriteLineAsync($"not found: {notFound.Code}: {notFound.Message}");
            return Refused;
        }
        catch (CliUsageException usage)
        {
            await context.Error.WriteLineAsync($"error: {usage.Message}");
            return BadInput;
        }
        catch (InvalidOperationException configuration) when (configuration.Message.Contains("is not set", StringComparison.Ordinal))
        {
            await context.Error.WriteLineAsync($"configuration: {configuration.Message}");
            return Refused;
        }
        catch (PostgresException missing) when (missing.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            await context.Error.WriteLineAsync($"database: not migrated ({missing.MessageText}); run `billing migrate` first.");
            return Refused;
        }
        catch (NpgsqlException database)
        {
            await context.Error.WriteLineAsync($"database: {database.Message}");
            return Refused;
        }
    }
}

/// <summary>The command line cannot be carried out as given (for example: no way to read a password).</summary>
internal sealed class CliUsageException(string message) : Exception(message);
