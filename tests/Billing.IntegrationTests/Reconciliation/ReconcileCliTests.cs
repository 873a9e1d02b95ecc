using System.Text.Json;
using Billing.Cli;
using Billing.IntegrationTests.Infrastructure;
using Billing.TestFakes.Stripe;
using Microsoft.Extensions.Configuration;
using Spectre.Console;

namespace Billing.IntegrationTests.Reconciliation;

/// <summary><c>billing reconcile …</c> in-process against a real database and the Stripe fake.</summary>
public sealed class ReconcileCliTests(BillingDatabase database) : IClassFixture<BillingDatabase>
{
    [Fact]
    public async Task ReconcileStripe_StoresTheMissedEvent_IsAudited_AndStatusShowsTheRun()
    {
        await using var stripe = await StripeFake.StartAsync();
        var customer = stripe.CreateCustomer("cli@example.com");
        var missed = stripe.CreateUndeliveredEvent("customer.subscription.deleted", customer);

        var noReason = await Run(stripe, ["reconcile", "stripe", "--since", "1h"]);
        Assert.Equal(BillingCli.BadInput, noReason.ExitCode);
        Assert.Contains("--reason", noReason.Err, StringComparison.Ordinal);
        Assert.Equal(BillingCli.BadInput, (await Run(stripe, ["reconcile", "stripe", "--since", "soon", "--dry-run"])).ExitCode);

        var dry = await Run(stripe, ["reconcile", "stripe", "--since", "1h", "--dry-run"]);
        Assert.Equal(0, dry.ExitCode);
        Assert.Contains("dry run: nothing changed", dry.Out, StringComparison.Ordinal);
        Assert.Contains($"stripe:event:{missed}", dry.Out, StringComparison.Ordinal);
        Assert.Equal(0, await database.ScalarAsync($"SELECT count(*) FROM inbox_events WHERE event_id = '{missed}'"));

        var run = await Run(stripe, ["reconcile", "stripe", "--since", "1h", "--reason", "webhooks were down", "--json"]);
        Assert.Equal(0, run.ExitCode);
        var json = JsonDocument.Parse(run.Out).RootElement;
        Assert.Equal("completed", json.GetProperty("status").GetString());
        var finding = json.GetProperty("findings").EnumerateArray().Single();
        Assert.Equal(("stripe.event_missed", "fixed_automatically"), (finding.GetProperty("kind").GetString(), finding.GetProperty("status").GetString()));
        Assert.Equal(1, await database.ScalarAsync($"SELECT count(*) FROM inbox_events WHERE event_id = '{missed}' AND status = 'received'"));
        var runId = json.GetProperty("run_id").GetString();
        Assert.Equal(1, await database.ScalarAsync($"SELECT count(*) FROM audit_log WHERE action = 'reconciliation.run' AND actor = 'cli:tester' AND reason = 'webhooks were down' AND object_id = '{runId}'"));

        var status = await Run(stripe, ["reconcile", "status", "--json"]);
        Assert.Equal(0, status.ExitCode);
        Assert.Contains(JsonDocument.Parse(status.Out).RootElement.GetProperty("runs").EnumerateArray(), r => r.GetProperty("id").GetString() == runId);
        Assert.Contains(runId!, (await Run(stripe, ["reconcile", "status"])).Out, StringComparison.Ordinal);

        var unconfigured = await Run(stripe, ["reconcile", "apple", "--dry-run"]);
        Assert.Equal(BillingCli.Refused, unconfigured.ExitCode);
        Assert.Contains("APPLE_APP_STORE_PRIVATE_KEY", unconfigured.Out, StringComparison.Ordinal);
    }

    private async Task<(int ExitCode, string Out, string Err)> Run(StripeFake stripe, string[] args)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DATABASE_URL"] = database.ConnectionString,
            ["STRIPE_SECRET_KEY"] = stripe.SecretKey,
            ["STRIPE_WEBHOOK_SECRET"] = stripe.WebhookSecret,
            ["STRIPE_API_BASE"] = stripe.BaseUrl.ToString(),
            ["STRIPE_MAX_RETRIES"] = "0",
        }).Build();
        var output = new StringWriter();
        var error = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 400;
        await using var context = new CliContext(configuration, console, output, error, new StringReader(""), inputRedirected: true, "tester");
        var exitCode = await BillingCli.RunAsync(args, context);
        return (exitCode, output.ToString(), error.ToString());
    }
}
