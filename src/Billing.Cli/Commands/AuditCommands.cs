using System.CommandLine;
using Billing.Application.Audit.ListAuditLog;
using Spectre.Console;

namespace Billing.Cli.Commands;

internal static class AuditCommands
{
    public static Command Build(CliContext context)
    {
        var actor = new Option<string?>("--actor") { Description = "Only this actor, e.g. cli:alice or operator:ops@example.com." };
        var objectId = new Option<string?>("--object") { Description = "Only this object id (grant key, email, provider:event id)." };
        var limit = CommonOptions.Limit(50);
        var list = new Command("list", "The audit log, newest first.") { actor, objectId, limit };
        list.SetAction((parse, ct) => BillingCli.Guard(context, async () =>
        {
            var page = await context.SendAsync(new ListAuditLogQuery(parse.GetValue(actor), null, parse.GetValue(objectId), null, parse.GetValue(limit)), ct);
            if (parse.GetValue(BillingCli.JsonOption))
            {
                context.WriteJson(page);
                return BillingCli.Ok;
            }

            var table = new Table().AddColumns("at", "actor", "action", "object", "reason");
            foreach (var line in page.Entries)
            {
                table.AddRow(CommonOptions.When(line.At), Markup.Escape(line.Actor), line.Action, Markup.Escape($"{line.ObjectType} {line.ObjectId}"), Markup.Escape(line.Reason));
            }

            context.Console.Write(table);
            return BillingCli.Ok;
        }));
        var command = new Command("audit", "The append-only audit log.");
        command.Subcommands.Add(list);
        return command;
    }
}
