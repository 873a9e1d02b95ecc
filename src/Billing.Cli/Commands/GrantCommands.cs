using System.CommandLine;
using Billing.Application.Grants.AuditedGrantActions;
using Billing.Application.Grants.ListGrants;
using Spectre.Console;

namespace Billing.Cli.Commands;

internal static class GrantCommands
{
    public static Command Build(CliContext context)
    {
        var command = new Command("grants", "Credit grants: list the ones that need an operator, requeue, confirm.");
        command.Subcommands.Add(List(context));
        command.Subcommands.Add(Requeue(context));
        command.Subcommands.Add(Confirm(context));
        return command;
    }

    private static Command List(CliContext context)
    {
        var status = new Option<string?>("--status") { Description = "attention (default: dead, in_doubt, owed_debt), pending, delivered, in_doubt, dead, owed_debt." };
        var user = new Option<string?>("--user") { Description = "Only this Flash user id." };
        var limit = CommonOptions.Limit();
        var command = new Command("list", "Grants by status.") { status, user, limit };
        command.SetAction((parse, ct) => BillingCli.Guard(context, async () =>
        {
            var result = await context.SendAsync(new ListGrantsQuery(parse.GetValue(status), parse.GetValue(user), parse.GetValue(limit)), ct);
            if (parse.GetValue(BillingCli.JsonOption))
            {
                context.WriteJson(result);
                return BillingCli.Ok;
            }

            context.Console.MarkupLine(string.Join("  ", result.Counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}: [bold]{c.Value}[/]")));
            var table = new Table().AddColumns("grant key", "user", "amount", "status", "attempts", "last error", "created");
            foreach (var g in result.Grants)
            {
                table.AddRow(Markup.Escape(g.GrantKey), Markup.Escape(g.UserId), g.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture), g.Status, g.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(g.LastError ?? ""), CommonOptions.When(g.CreatedAt));
            }

            context.Console.Write(table);
            return BillingCli.Ok;
        }));
        return command;
    }

    private static Command Requeue(CliContext context) => Action(
        context,
        "requeue",
        "Send a dead, in-doubt (checked: NOT applied in Flash) or owed-debt grant round again.",
        (key, by) => new AuditedRequeueGrantCommand(key, by));

    private static Command Confirm(CliContext context) => Action(
        context,
        "confirm",
        "Close an in-doubt grant that you checked and found applied in Flash (nothing is resent).",
        (key, by) => new AuditedConfirmGrantCommand(key, by));

    private static Command Action(CliContext context, string name, string description, Func<string, Billing.Application.Audit.AuditContext, MediatR.IRequest<OperatorGrantResponse>> create)
    {
        var key = new Argument<string>("grant-key") { Description = "The grant key, e.g. stripe:invoice:in_..." };
        var reason = CommonOptions.Reason();
        var command = new Command(name, description) { key, reason };
        command.SetAction((parse, ct) => BillingCli.Guard(context, async () =>
        {
            var grant = await context.SendAsync(create(parse.GetRequiredValue(key), context.By(parse.GetRequiredValue(reason))), ct);
            if (parse.GetValue(BillingCli.JsonOption))
            {
                context.WriteJson(grant);
            }
            else
            {
                context.Console.MarkupLineInterpolated($"[green]Grant {grant.GrantKey} is now {grant.Status}.[/]");
            }

            return BillingCli.Ok;
        }));
        return command;
    }
}
