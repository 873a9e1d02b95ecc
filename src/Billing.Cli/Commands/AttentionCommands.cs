using System.CommandLine;
using System.Globalization;
using Billing.Application.Attention.GetAttentionList;
using Billing.Application.Attention.ResolveAttentionItem;
using Spectre.Console;

namespace Billing.Cli.Commands;

internal static class AttentionCommands
{
    public static Command Build(CliContext context)
    {
        var kind = new Option<string?>("--kind") { Description = "Only one kind: grant_dead, grant_in_doubt, grant_owed_debt, inbox_failed, inbox_stale, unattributable_apple_transaction, unmapped_stripe_price, sandbox_not_granted." };
        var user = new Option<string?>("--user") { Description = "Only this Flash user id's entries." };
        var limit = CommonOptions.Limit(GetAttentionListQuery.DefaultLimit);
        var command = new Command("attention", "Everything that needs a person, newest first (the console's Attention page).") { kind, user, limit };
        command.SetAction((parse, ct) => BillingCli.Guard(context, async () =>
        {
            var list = await context.SendAsync(new GetAttentionListQuery(parse.GetValue(limit), null, parse.GetValue(kind), parse.GetValue(user)), ct);
            if (parse.GetValue(BillingCli.JsonOption))
            {
                context.WriteJson(list);
                return BillingCli.Ok;
            }

            if (list.Items.Count == 0)
            {
                context.Console.MarkupLine("[green]Nothing needs attention.[/]");
                return BillingCli.Ok;
            }

            var table = new Table().AddColumns("since", "kind", "source", "id", "user", "credits", "reason", "act with");
            foreach (var e in list.Items)
            {
                table.AddRow(
                    CommonOptions.When(e.At),
                    Markup.Escape(e.Kind),
                    e.Source,
                    Markup.Escape(e.Id),
                    Markup.Escape(e.UserId ?? ""),
                    e.Amount?.ToString(CultureInfo.InvariantCulture) ?? "",
                    Markup.Escape(e.Reason),
                    Markup.Escape(Verb(e)));
            }

            context.Console.Write(table);
            if (list.NextCursor is not null)
            {
                context.Console.MarkupLineInterpolated($"[yellow]More than {list.Items.Count} entries: raise --limit or narrow with --kind / --user.[/]");
            }

            return BillingCli.Ok;
        }));
        command.Subcommands.Add(Resolve(context));
        return command;
    }

    private static Command Resolve(CliContext context)
    {
        var id = new Argument<Guid>("id") { Description = "The attention item's id (source attention_item in `billing attention`)." };
        var reason = CommonOptions.Reason();
        var command = new Command("resolve", "Close an attention item once handled (audited; it leaves the list until raised again).") { id, reason };
        command.SetAction((parse, ct) => BillingCli.Guard(context, async () =>
        {
            var item = await context.SendAsync(new ResolveAttentionItemCommand(parse.GetRequiredValue(id), context.By(parse.GetRequiredValue(reason))), ct);
            if (parse.GetValue(BillingCli.JsonOption))
            {
                context.WriteJson(item);
            }
            else
            {
                context.Console.MarkupLineInterpolated($"[green]Resolved {item.Kind} {item.ObjectKey}.[/]");
            }

            return BillingCli.Ok;
        }));
        return command;
    }

    /// <summary>The CLI verb that acts on an entry.</summary>
    private static string Verb(AttentionEntryResponse e) => e.Source switch
    {
        "grant" when e.Kind == "grant_in_doubt" => $"billing grants requeue|confirm {e.Id}",
        "grant" => $"billing grants requeue {e.Id}",
        "inbox" => $"billing inbox replay {e.Id}",
        _ => $"billing attention resolve {e.Id}",
    };
}
