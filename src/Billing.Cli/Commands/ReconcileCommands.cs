using System.CommandLine;
using System.Globalization;
using Billing.Application.Reconciliation;
using Billing.Application.Reconciliation.GetReconciliation;
using Billing.Application.Reconciliation.ResolveFinding;
using Billing.Application.Reconciliation.RunReconciliation;
using Spectre.Console;

namespace Billing.Cli.Commands;

/// <summary><c>billing reconcile stripe|apple|flash [--since 72h] [--dry-run]</c>, <c>reconcile status</c>, <c>reconcile resolve</c>.</summary>
internal static class ReconcileCommands
{
    public static Command Build(CliContext context)
    {
        var command = new Command("reconcile", "Find and repair what webhooks missed (Stripe, Apple) and what Flash lacks; show runs and findings.");
        foreach (var source in ReconciliationSources.All)
        {
            command.Subcommands.Add(Run(context, source));
        }

        command.Subcommands.Add(Status(context));
        command.Subcommands.Add(Resolve(context));
        return command;
    }

    private static Command Run(CliContext context, string source)
    {
        var since = new Option<string?>("--since") { Description = "How far back (72h, 30m, 7d); default: from the last run (72h the first time)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Report what would be found and repaired; change nothing." };
        var reason = new Option<string?>("--reason") { Description = "Why (required unless --dry-run; written to the audit log)." };
        var command = new Command(source, Describe(source)) { since, dryRun, reason };
        command.SetAction((parse, ct) => BillingCli.Guard(context, async () =>
        {
            TimeSpan? window = null;
            if (parse.GetValue(since) is { } text)
            {
                window = Durations.TryParse(text, out var parsed) ? parsed : throw new CliUsageException($"--since '{text}' is not a duration such as 72h, 30m or 7d.");
            }

            var isDryRun = parse.GetValue(dryRun);
            var why = parse.GetValue(reason);
            if (!isDryRun && string.IsNullOrWhiteSpace(why))
            {
                throw new CliUsageException("--reason is required (written to the audit log); a --dry-run needs none.");
            }

            var by = context.By(string.IsNullOrWhiteSpace(why) ? "dry run" : why);
            var json = parse.GetValue(BillingCli.JsonOption);
            ReconciliationRunResponse result;
            if (json || !context.Console.Profile.Capabilities.Interactive)
            {
                result = await context.SendAsync(new RunReconciliationCommand(source, window, isDryRun, by, ReconciliationTriggers.Cli), ct);
            }
            else
            {
                result = await context.Console.Status().StartAsync($"reconciling {source}…", async status =>
                    await context.SendAsync(new RunReconciliationCommand(source, window, isDryRun, by, ReconciliationTriggers.Cli, new StatusProgress(status)), ct));
            }

            if (json)
            {
                context.WriteJson(result);
            }
            else
            {
                Write(context, result);
            }

            return result.Status == "completed" ? BillingCli.Ok : BillingCli.Refused;
        }));
        return command;
    }

    private static string Describe(string source) => source switch
    {
        ReconciliationSources.Stripe => "Stripe: store events never delivered (then processed as usual); check paid checkouts and invoices have their purchase, period and grant.",
        ReconciliationSources.Apple => "Apple: store notifications from the App Store's history that never arrived (verified as usual).",
        _ => "Flash: every grant delivered in the window is in the user's Flash history with its amount (gateway-signed mode).",
    };

    private static void Write(CliContext context, ReconciliationRunResponse result)
    {
        var colour = result.Status == "completed" ? "green" : "yellow";
        context.Console.MarkupLineInterpolated(
            $"[{colour}]{result.Source}: {result.Status}[/]{(result.DryRun ? " (dry run: nothing changed)" : "")}  window {CommonOptions.When(result.WindowStart)} → {CommonOptions.When(result.WindowEnd)}  examined [bold]{result.Examined}[/]  new findings [bold]{result.FindingsNew}[/]  repaired [bold]{result.Fixed}[/]");
        if (result.Note is { } note)
        {
            context.Console.MarkupLineInterpolated($"note: {note}");
        }

        if (result.Findings.Count > 0)
        {
            var table = new Table().AddColumns("kind", "object", "user", "expected", "actual", "status", "new");
            foreach (var f in result.Findings)
            {
                table.AddRow(Markup.Escape(f.Kind), Markup.Escape(f.ObjectKey), Markup.Escape(f.UserId ?? ""), Markup.Escape(f.Expected), Markup.Escape(f.Actual), f.Status, f.New ? "yes" : "");
            }

            context.Console.Write(table);
        }
    }

    private static Command Status(CliContext context)
    {
        var limit = CommonOptions.Limit(20);
        var command = new Command("status", "The last runs and the open findings.") { limit };
        command.SetAction((parse, ct) => BillingCli.Guard(context, async () =>
        {
            var overview = await context.SendAsync(new GetReconciliationQuery(parse.GetValue(limit)), ct);
            if (parse.GetValue(BillingCli.JsonOption))
            {
                context.WriteJson(overview);
                return BillingCli.Ok;
            }

            var runs = new Table().AddColumns("run", "started", "source", "trigger", "actor", "status", "examined", "new findings", "repaired", "note");
            foreach (var r in overview.Runs)
            {
                runs.AddRow(r.Id.ToString("D"), CommonOptions.When(r.StartedAt), r.Source, r.Trigger, Markup.Escape(r.Actor), r.Status, Number(r.Examined), Number(r.FindingsNew), Number(r.Fixed), Markup.Escape(r.Note ?? ""));
            }

            context.Console.Write(runs);
            var findings = new Table().AddColumns("id", "kind", "object", "user", "expected", "actual", "since");
            foreach (var f in overview.OpenFindings)
            {
                findings.AddRow(f.Id.ToString("D"), Markup.Escape(f.Kind), Markup.Escape(f.ObjectKey), Markup.Escape(f.UserId ?? ""), Markup.Escape(f.Expected), Markup.Escape(f.Actual), CommonOptions.When(f.CreatedAt));
            }

            context.Console.Write(findings);
            return BillingCli.Ok;
        }));
        return command;
    }

    private static Command Resolve(CliContext context)
    {
        var id = new Argument<Guid>("finding-id") { Description = "The finding's id (from `reconcile status`)." };
        var reason = CommonOptions.Reason();
        var command = new Command("resolve", "Close an open finding you dealt with.") { id, reason };
        command.SetAction((parse, ct) => BillingCli.Guard(context, async () =>
        {
            var finding = await context.SendAsync(new ResolveReconciliationFindingCommand(parse.GetRequiredValue(id), context.By(parse.GetRequiredValue(reason))), ct);
            if (parse.GetValue(BillingCli.JsonOption))
            {
                context.WriteJson(finding);
            }
            else
            {
                context.Console.MarkupLineInterpolated($"[green]Finding {finding.Id} ({finding.Kind} {finding.ObjectKey}) resolved by {finding.ResolvedBy}.[/]");
            }

            return BillingCli.Ok;
        }));
        return command;
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Shows the run's stage and count on the spinner line (called from the run's thread; Spectre redraws it).</summary>
    private sealed class StatusProgress(StatusContext status) : IProgress<ReconciliationProgress>
    {
        public void Report(ReconciliationProgress value) =>
            status.Status(value.Total is { } total
                ? string.Create(CultureInfo.InvariantCulture, $"{value.Stage}: {value.Done}/{total}")
                : string.Create(CultureInfo.InvariantCulture, $"{value.Stage}: {value.Done}"));
    }
}
