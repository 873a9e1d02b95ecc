using System.CommandLine;
using Billing.Application.Operators;
using Billing.Application.Operators.AddOperator;
using Billing.Application.Operators.DisableOperator;
using Billing.Application.Operators.EnableOperator;
using Billing.Application.Operators.ListOperators;
using Spectre.Console;

namespace Billing.Cli.Commands;

internal static class OperatorCommands
{
    public static Command Build(CliContext context)
    {
        var command = new Command("operator", "Console accounts: add, disable, enable, list.");
        command.Subcommands.Add(Add(context));
        command.Subcommands.Add(Disable(context));
        command.Subcommands.Add(Enable(context));
        command.Subcommands.Add(List(context));
        return command;
    }

    private static Command Add(CliContext context)
    {
        var email = new Argument<string>("email") { Description = "The operator's email (the sign-in name)." };
        var role = new Option<string>("--role") { Description = "viewer, operator or admin.", Required = true };
        role.AcceptOnlyFromAmong("viewer", "operator", "admin");
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from the first line of standard input." };
        var reason = CommonOptions.Reason();
        var command = new Command("add", "Create an operator with a password (prompted without echo, or --password-stdin).") { email, role, passwordStdin, reason };
        command.SetAction((parse, ct) => BillingCli.Guard(context, async () =>
        {
            var password = ReadPassword(context, parse.GetValue(passwordStdin));
            var added = await context.SendAsync(new AddOperatorCommand(parse.GetRequiredValue(email), parse.GetRequiredValue(role), password, context.By(parse.GetRequiredValue(reason))), ct);
            Show(context, parse, [added], $"Operator {added.Email} added as {added.Role}.");
            return BillingCli.Ok;
        }));
        return command;
    }

    private static Command Disable(CliContext context)
    {
        var email = new Argument<string>("email");
        var reason = CommonOptions.Reason();
        var command = new Command("disable", "Stop an operator from signing in (an open console session ends at its next request).") { email, reason };
        command.SetAction((parse, ct) => BillingCli.Guard(context, async () =>
        {
            var disabled = await context.SendAsync(new DisableOperatorCommand(parse.GetRequiredValue(email), context.By(parse.GetRequiredValue(reason))), ct);
            Show(context, parse, [disabled], $"Operator {disabled.Email} disabled.");
            return BillingCli.Ok;
        }));
        return command;
    }

    private static Command Enable(CliContext context)
    {
        var email = new Argument<string>("email");
        var reason = CommonOptions.Reason();
        var command = new Command("enable", "Enable a disabled operator, or lift a lockout.") { email, reason };
        command.SetAction((parse, ct) => BillingCli.Guard(context, async () =>
        {
            var enabled = await context.SendAsync(new EnableOperatorCommand(parse.GetRequiredValue(email), context.By(parse.GetRequiredValue(reason))), ct);
            Show(context, parse, [enabled], $"Operator {enabled.Email} enabled.");
            return BillingCli.Ok;
        }));
        return command;
    }

    private static Command List(CliContext context)
    {
        var command = new Command("list", "Every operator, its role and state.");
        command.SetAction((parse, ct) => BillingCli.Guard(context, async () =>
        {
            var operators = await context.SendAsync(new ListOperatorsQuery(), ct);
            Show(context, parse, operators, null);
            return BillingCli.Ok;
        }));
        return command;
    }

    private static string ReadPassword(CliContext context, bool fromStdin)
    {
        if (fromStdin)
        {
            return context.Input.ReadLine()?.TrimEnd('\r') is { Length: > 0 } line
                ? line
                : throw new CliUsageException("--password-stdin: standard input is empty.");
        }

        if (context.InputRedirected || !context.Console.Profile.Capabilities.Interactive)
        {
            throw new CliUsageException("no terminal to prompt for the password: pass it on standard input with --password-stdin.");
        }

        var password = context.Console.Prompt(new TextPrompt<string>("Password:").Secret());
        var again = context.Console.Prompt(new TextPrompt<string>("Again:").Secret());
        return password == again ? password : throw new CliUsageException("the two passwords differ.");
    }

    private static void Show(CliContext context, ParseResult parse, IReadOnlyList<OperatorResponse> operators, string? message)
    {
        if (parse.GetValue(BillingCli.JsonOption))
        {
            context.WriteJson(message is null ? operators : operators[0]);
            return;
        }

        if (message is not null)
        {
            context.Console.MarkupLineInterpolated($"[green]{message}[/]");
        }

        var table = new Table().AddColumns("email", "role", "state", "failed sign-ins", "last sign-in", "created");
        foreach (var o in operators)
        {
            var state = o.Disabled ? "disabled" : o.LockedOut ? $"locked until {CommonOptions.When(o.LockedUntil)}" : "active";
            table.AddRow(Markup.Escape(o.Email), o.Role, state, o.FailedSignIns.ToString(System.Globalization.CultureInfo.InvariantCulture), CommonOptions.When(o.LastSignInAt), CommonOptions.When(o.CreatedAt));
        }

        context.Console.Write(table);
    }
}
