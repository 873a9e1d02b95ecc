using System.CommandLine;
using Billing.Application.ApiKeys.OperatorRevokeApiKey;
using Billing.Application.ApiKeys.SearchApiKeys;
using Spectre.Console;

namespace Billing.Cli.Commands;

internal static class KeyCommands
{
    public static Command Build(CliContext context)
    {
        var command = new Command("keys", "Developer API keys: list and revoke (secrets are never shown).");
        command.Subcommands.Add(List(context));
        command.Subcommands.Add(Revoke(context));
        return command;
    }

    private static Command List(CliContext context)
    {
        var user = new Option<string?>("--user") { Description = "The owner's Flash user id." };
        var search = new Option<string?>("--search") { Description = "A key id, an owner id, or the display's last four characters." };
        var limit = CommonOptions.Limit();
        var command = new Command("list", "Keys of a user (--user), or found by --search, newest first.") { user, search, limit };
        command.SetAction((parse, ct) => BillingCli.Guard(context, async () =>
        {
            var owner = parse.GetValue(user);
            var text = parse.GetValue(search);
            if (string.IsNullOrWhiteSpace(owner) == string.IsNullOrWhiteSpace(text))
            {
                throw new CliUsageException("give exactly one of --user <user id> or --search <text>.");
            }

            var found = await context.SendAsync(new SearchApiKeysQuery(owner ?? text, parse.GetValue(limit)), ct);
            // --user means the owner only (a four-character user id could also match a suffix).
            var keys = owner is null ? found.Keys : [.. found.Keys.Where(k => k.OwnerId == owner.Trim())];
            if (parse.GetValue(BillingCli.JsonOption))
            {
                context.WriteJson(new ApiKeySearchResponse(keys));
                return BillingCli.Ok;
            }

            var table = new Table().AddColumns("key id", "owner", "name", "mode", "display", "status", "created", "last used", "revoked");
            foreach (var k in keys)
            {
                table.AddRow(Markup.Escape(k.Id), Markup.Escape(k.OwnerId), Markup.Escape(k.Name), k.Mode, Markup.Escape(k.Display), k.Status, CommonOptions.When(k.CreatedAt), CommonOptions.When(k.LastUsedAt), CommonOptions.When(k.RevokedAt));
            }

            context.Console.Write(table);
            return BillingCli.Ok;
        }));
        return command;
    }

    private static Command Revoke(CliContext context)
    {
        var id = new Argument<string>("key-id") { Description = "The key id, key_…" };
        var reason = CommonOptions.Reason();
        var command = new Command("revoke", "Revoke any user's key now, on every instance (audited; final).") { id, reason };
        command.SetAction((parse, ct) => BillingCli.Guard(context, async () =>
        {
            var key = await context.SendAsync(new OperatorRevokeApiKeyCommand(parse.GetRequiredValue(id), context.By(parse.GetRequiredValue(reason))), ct);
            if (parse.GetValue(BillingCli.JsonOption))
            {
                context.WriteJson(key);
            }
            else
            {
                context.Console.MarkupLineInterpolated($"[green]Key {key.Id} ({key.Display}) of {key.OwnerId} revoked.[/]");
            }

            return BillingCli.Ok;
        }));
        return command;
    }
}
