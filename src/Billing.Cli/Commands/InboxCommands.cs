using System.CommandLine;
using Billing.Application.Inbox;
using Billing.Application.Inbox.BrowseInboxEvents;
using Billing.Application.Inbox.ReplayInboxEvent;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Billing.Cli.Commands;

internal static class InboxCommands
{
    public static Command Build(CliContext context)
    {
        var command = new Command("inbox", "The webhook inbox: stored provider events.");
        command.Subcommands.Add(List(context));
        command.Subcommands.Add(Replay(context));
        return command;
    }

    private static Command List(CliContext context)
    {
        var provider = new Option<string?>("--provider") { Description = "stripe or apple." };
        var type = new Option<string?>("--type") { Description = "The event type, e.g. invoice.paid or DID_RENEW." };
        var status = new Option<string?>("--status") { Description = "received, processed, ignored or failed." };
        var since = new Option<DateTimeOffset?>("--since") { Description = "Received at or after (ISO 8601)." };
        var limit = CommonOptions.Limit();
        var command = new Command("list", "Stored events, newest first.") { provider, type, status, since, limit };
        command.SetAction((parse, ct) => BillingCli.Guard(context, async () =>
        {
            var page = await context.SendAsync(new BrowseInboxEventsQuery(parse.GetValue(provider), parse.GetValue(type), parse.GetValue(status), parse.GetValue(since), Limit: parse.GetValue(limit)), ct);
            if (parse.GetValue(BillingCli.JsonOption))
            {
                context.WriteJson(page);
                return BillingCli.Ok;
            }

            context.Console.MarkupLine(string.Join("  ", page.CountsByStatus.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}: [bold]{c.Value}[/]")));
            Write(context, page.Events);
            return BillingCli.Ok;
        }));
        return command;
    }

    private static Command Replay(CliContext context)
    {
        var ids = new Argument<long[]>("id") { Description = "Inbox event ids (from `inbox list`).", Arity = ArgumentArity.OneOrMore };
        var reason = CommonOptions.Reason();
        var command = new Command("replay", "Process stored events again through the normal path (idempotent: an applied payment grants nothing twice).") { ids, reason };
        command.SetAction((parse, ct) => BillingCli.Guard(context, async () =>
        {
            var replayer = context.Services.GetRequiredService<InboxReplayer>();
            var by = context.By(parse.GetRequiredValue(reason));
            var wanted = parse.GetRequiredValue(ids);
            var results = new List<InboxEventSummary>();
            var json = parse.GetValue(BillingCli.JsonOption);
            if (json || wanted.Length == 1 || !context.Console.Profile.Capabilities.Interactive)
            {
                foreach (var id in wanted)
                {
                    results.Add(await replayer.ReplayAsync(id, by, ct));
                }
            }
            else
            {
                await context.Console.Progress().StartAsync(async progress =>
                {
                    var task = progress.AddTask("replaying", maxValue: wanted.Length);
                    foreach (var id in wanted)
                    {
                        results.Add(await replayer.ReplayAsync(id, by, ct));
                        task.Increment(1);
                    }
                });
            }

            if (json)
            {
                context.WriteJson(results);
            }
            else
            {
                Write(context, results);
            }

            return results.Any(r => r.Status == "failed" || r.LastError is not null && r.Status == "received") ? BillingCli.Refused : BillingCli.Ok;
        }));
        return command;
    }

    private static void Write(CliContext context, IEnumerable<InboxEventSummary> events)
    {
        var table = new Table().AddColumns("id", "provider", "type", "event id", "status", "attempts", "received", "last error");
        foreach (var e in events)
        {
            table.AddRow(e.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Provider, Markup.Escape(e.EventType), Markup.Escape(e.EventId), e.Status, e.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture), CommonOptions.When(e.ReceivedAt), Markup.Escape(e.LastError ?? ""));
        }

        context.Console.Write(table);
    }
}
