using System.Diagnostics;
using System.Text.Json;
using Billing.Cli;
using Billing.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Spectre.Console;

namespace Billing.IntegrationTests.Console;

/// <summary>The CLI's verbs against a real database: the command tree in-process, and once as a real process.</summary>
public sealed class CliTests(BillingDatabase database) : IClassFixture<BillingDatabase>
{
    private const string Password = "a long enough password";

    [Fact]
    public async Task OperatorAdd_FromStdin_IsListedAndAudited_AsTheOsUser()
    {
        var email = $"cli-{Guid.NewGuid():N}@example.com";
        var added = await Run(["operator", "add", email, "--role", "operator", "--password-stdin", "--reason", "new on call"], stdin: Password + "\n");
        Assert.Equal(0, added.ExitCode);
        Assert.Contains($"Operator {email} added as operator", added.Out, StringComparison.Ordinal);

        var list = await Run(["operator", "list", "--json"]);
        var row = JsonDocument.Parse(list.Out).RootElement.EnumerateArray().Single(o => o.GetProperty("email").GetString() == email);
        Assert.Equal("operator", row.GetProperty("role").GetString());

        var table = await Run(["operator", "list"]);
        Assert.Contains(email, table.Out, StringComparison.Ordinal);
        Assert.Contains("active", table.Out, StringComparison.Ordinal);

        var audit = await Run(["audit", "list", "--object", email, "--json"]);
        var line = JsonDocument.Parse(audit.Out).RootElement.GetProperty("entries")[0];
        Assert.Equal(("cli:tester", "operator.add", "new on call"), (line.GetProperty("actor").GetString(), line.GetProperty("action").GetString(), line.GetProperty("reason").GetString()));

        var disabled = await Run(["operator", "disable", email, "--reason", "rotation ended", "--json"]);
        Assert.True(JsonDocument.Parse(disabled.Out).RootElement.GetProperty("disabled").GetBoolean());
        Assert.Equal(1, (await Run(["operator", "disable", email, "--reason", "again"])).ExitCode);
    }

    [Fact]
    public async Task OperatorAdd_WithoutATerminalOrStdin_ExplainsHowToPassThePassword_AndChangesNeedAReason()
    {
        var email = $"cli-{Guid.NewGuid():N}@example.com";
        var noPassword = await Run(["operator", "add", email, "--role", "viewer", "--reason", "r"]);
        Assert.Equal(BillingCli.BadInput, noPassword.ExitCode);
        Assert.Contains("--password-stdin", noPassword.Err, StringComparison.Ordinal);

        var noReason = await Run(["operator", "add", email, "--role", "viewer", "--password-stdin"], stdin: Password);
        Assert.NotEqual(0, noReason.ExitCode);
        Assert.Contains("--reason", noReason.Err, StringComparison.Ordinal);

        var badRole = await Run(["operator", "add", email, "--role", "root", "--password-stdin", "--reason", "r"], stdin: Password);
        Assert.NotEqual(0, badRole.ExitCode);
        var shortPassword = await Run(["operator", "add", email, "--role", "viewer", "--password-stdin", "--reason", "r"], stdin: "short");
        Assert.Equal(BillingCli.BadInput, shortPassword.ExitCode);
        Assert.Equal(0, await database.ScalarAsync($"SELECT count(*) FROM operators WHERE email = '{email}'"));
    }

    [Fact]
    public async Task Grants_ListRequeueConfirm_UseTheOperatorUseCases_AndAreAudited()
    {
        var key = await ConsoleTestData.SeedDeadGrantAsync(database, Guid.NewGuid().ToString(), amount: 40);
        var list = await Run(["grants", "list", "--json"]);
        Assert.Contains(JsonDocument.Parse(list.Out).RootElement.GetProperty("grants").EnumerateArray(), g => g.GetProperty("grant_key").GetString() == key);
        Assert.Contains(key, (await Run(["grants", "list", "--limit", "500"])).Out, StringComparison.Ordinal);

        Assert.NotEqual(0, (await Run(["grants", "requeue", key])).ExitCode);
        var requeued = await Run(["grants", "requeue", key, "--reason", "Flash knows the user now", "--json"]);
        Assert.Equal(0, requeued.ExitCode);
        Assert.Equal("pending", JsonDocument.Parse(requeued.Out).RootElement.GetProperty("status").GetString());

        var confirm = await Run(["grants", "confirm", key, "--reason", "checked"]);
        Assert.Equal(BillingCli.Refused, confirm.ExitCode);
        Assert.Contains("refused", confirm.Err, StringComparison.Ordinal);
        Assert.Equal(BillingCli.Refused, (await Run(["grants", "requeue", "stripe:invoice:in_unknown", "--reason", "r"])).ExitCode);
        Assert.Equal(1, await database.ScalarAsync($"SELECT count(*) FROM audit_log WHERE object_id = '{key}' AND actor = 'cli:tester' AND action = 'grant.requeue'"));
    }

    [Fact]
    public async Task Inbox_ListAndReplay_GoThroughTheNormalProcessingPath()
    {
        await using (var db = database.CreateContext())
        {
            db.InboxEvents.Add(Billing.Application.Inbox.InboxEvent.Receive("manual", $"evt_{Guid.NewGuid():N}", "test.event", "{}", null, DateTimeOffset.UtcNow));
            await db.SaveChangesAsync();
        }

        var id = await database.ScalarAsync("SELECT max(id) FROM inbox_events");
        var list = await Run(["inbox", "list", "--provider", "manual", "--json"]);
        Assert.Contains(JsonDocument.Parse(list.Out).RootElement.GetProperty("events").EnumerateArray(), e => e.GetProperty("id").GetInt64() == id);

        var replay = await Run(["inbox", "replay", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--reason", "after the fix", "--json"]);
        Assert.Equal(0, replay.ExitCode);
        // No processor knows the provider "manual": the normal path records the event as ignored, with why.
        var replayed = JsonDocument.Parse(replay.Out).RootElement[0];
        Assert.Equal("ignored", replayed.GetProperty("status").GetString());
        Assert.Equal(1, await database.ScalarAsync($"SELECT count(*) FROM audit_log WHERE action = 'inbox.replay' AND after->>'status' = 'received' AND before->>'id' = '{id}'"));
        Assert.Equal(BillingCli.Refused, (await Run(["inbox", "replay", "999999", "--reason", "r"])).ExitCode);
    }

    [Fact]
    public async Task Migrate_BringsAnEmptyDatabaseToTheLatestVersion()
    {
        var empty = await PostgresServer.CreateDatabaseAsync("billing_cli");
        try
        {
            var notMigrated = await Run(["operator", "list"], connectionString: empty);
            Assert.Equal(BillingCli.Refused, notMigrated.ExitCode);
            Assert.Contains("billing migrate", notMigrated.Err, StringComparison.Ordinal);

            var migrated = await Run(["migrate", "--json"], connectionString: empty);
            Assert.Equal(0, migrated.ExitCode);
            Assert.Equal(Billing.Infrastructure.Persistence.SchemaMigrator.LatestVersion, JsonDocument.Parse(migrated.Out).RootElement.GetProperty("version").GetInt32());
        }
        finally
        {
            await PostgresServer.DropDatabaseAsync(empty);
        }
    }

    [Fact]
    public async Task TheRealExecutable_ListsOperatorsAsJson_AndFailsClearlyWithoutDatabaseUrl()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "billing.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing");
        var email = $"proc-{Guid.NewGuid():N}@example.com";
        var added = await Process(dll, ["operator", "add", email, "--role", "admin", "--password-stdin", "--reason", "first admin"], Password + "\n", database.ConnectionString);
        Assert.True(added.ExitCode == 0, added.Err);
        var listed = await Process(dll, ["operator", "list", "--json"], "", database.ConnectionString);
        Assert.Equal(0, listed.ExitCode);
        Assert.Contains(JsonDocument.Parse(listed.Out).RootElement.EnumerateArray(), o => o.GetProperty("email").GetString() == email);
        Assert.Equal(1, await database.ScalarAsync($"SELECT count(*) FROM audit_log WHERE object_id = '{email}' AND actor LIKE 'cli:%'"));

        var unconfigured = await Process(dll, ["operator", "list"], "", null);
        Assert.NotEqual(0, unconfigured.ExitCode);
        Assert.Contains("DATABASE_URL", unconfigured.Err, StringComparison.Ordinal);
    }

    private async Task<(int ExitCode, string Out, string Err)> Run(string[] args, string stdin = "", string? connectionString = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["DATABASE_URL"] = connectionString ?? database.ConnectionString }).Build();
        var output = new StringWriter();
        var error = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 250;
        await using var context = new CliContext(configuration, console, output, error, new StringReader(stdin), inputRedirected: true, "tester");
        var exitCode = await BillingCli.RunAsync(args, context);
        return (exitCode, output.ToString(), error.ToString());
    }

    private static async Task<(int ExitCode, string Out, string Err)> Process(string dll, string[] args, string stdin, string? connectionString)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("DATABASE_URL");
        if (connectionString is not null)
        {
            start.Environment["DATABASE_URL"] = connectionString;
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
