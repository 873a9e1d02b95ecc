using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.Application.Abstractions.Reconciliation;
using Billing.Application.Audit;
using Billing.Application.Inbox;
using Billing.Application.Reconciliation;
using Billing.Application.Reconciliation.RunReconciliation;
using Billing.Domain.Catalog;
using Billing.IntegrationTests.Infrastructure;
using Billing.IntegrationTests.Stripe;
using MediatR;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.IntegrationTests.Reconciliation;

/// <summary>Stripe reconciliation against the Stripe fake's list endpoints, on a real database.</summary>
public sealed class StripeReconciliationTests(BillingDatabase database) : IClassFixture<BillingDatabase>, IAsyncLifetime
{
    private const string AdminKey = "reconcile-admin-key";
    private static readonly AuditContext By = new("cli:tester", "test run");
    private StripeTestHost _host = null!;

    public async Task InitializeAsync() => _host = await StripeTestHost.StartAsync(database, new Dictionary<string, string?> { ["BILLING_ADMIN_KEY"] = AdminKey });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task AnEventNeverDelivered_IsStoredAndProcessed_CreditsGrantedOnce_AndASecondRunFindsNothingNew()
    {
        var user = StripeTestHost.NewUser();
        var (sessionId, _) = await _host.CheckoutAsync(user, ProductCatalog.Studio.Id);
        _host.Stripe.MarkSessionPaid(sessionId);
        var missed = _host.Stripe.CreateUndeliveredEvent("checkout.session.completed", sessionId);

        var first = await RunAsync(ReconciliationSources.Stripe);
        Assert.Equal("completed", first.Status);
        var finding = Assert.Single(first.Findings);
        Assert.Equal((FindingKinds.StripeEventMissed, $"stripe:event:{missed}", FindingStatuses.FixedAutomatically, true), (finding.Kind, finding.ObjectKey, finding.Status, finding.New));
        Assert.Equal(1, first.Fixed);
        Assert.Equal(InboxStatus.Received, (await _host.InboxRowAsync(missed)).Status);

        // The normal processing path grants the pack.
        await _host.ProcessInboxAsync();
        Assert.Equal(InboxStatus.Processed, (await _host.InboxRowAsync(missed)).Status);
        var grant = Assert.Single(await _host.GrantsAsync(user));
        Assert.Equal(500, grant.Amount);

        // Nothing new: the event is in the inbox, the purchase and its grant exist.
        var second = await RunAsync(ReconciliationSources.Stripe);
        Assert.Equal((0, 0), (second.FindingsNew, second.Findings.Count));

        // The webhook arriving late changes nothing either.
        await _host.DeliverPayloadAsync(System.Text.Encoding.UTF8.GetBytes(_host.Stripe.GetEventJson(missed)));
        await _host.ProcessInboxAsync();
        Assert.Single(await _host.GrantsAsync(user));
        Assert.Equal(1, await database.ScalarAsync($"SELECT count(*) FROM reconciliation_findings WHERE object_key = 'stripe:event:{missed}' AND status = 'fixed_automatically'"));
        Assert.Equal(2, await database.ScalarAsync($"SELECT count(*) FROM audit_log WHERE action = 'reconciliation.run' AND actor = 'cli:tester' AND object_id IN ('{first.RunId}', '{second.RunId}')"));
    }

    [Fact]
    public async Task DryRun_ReportsTheMissedEvent_AndChangesNothing()
    {
        var user = StripeTestHost.NewUser();
        var (sessionId, _) = await _host.CheckoutAsync(user, ProductCatalog.Explorer.Id);
        _host.Stripe.MarkSessionPaid(sessionId);
        var missed = _host.Stripe.CreateUndeliveredEvent("checkout.session.completed", sessionId);
        var runsBefore = await database.ScalarAsync("SELECT count(*) FROM reconciliation_runs");
        var auditBefore = await database.ScalarAsync("SELECT count(*) FROM audit_log");

        var dry = await RunAsync(ReconciliationSources.Stripe, dryRun: true);

        Assert.Equal(("completed", true, (Guid?)null), (dry.Status, dry.DryRun, dry.RunId));
        var finding = Assert.Single(dry.Findings);
        Assert.Equal((FindingKinds.StripeEventMissed, FindingStatuses.Open), (finding.Kind, finding.Status));
        Assert.Equal(0, await database.ScalarAsync($"SELECT count(*) FROM inbox_events WHERE event_id = '{missed}'"));
        Assert.Equal(0, await database.ScalarAsync($"SELECT count(*) FROM reconciliation_findings WHERE object_key = 'stripe:event:{missed}'"));
        Assert.Equal(runsBefore, await database.ScalarAsync("SELECT count(*) FROM reconciliation_runs"));
        Assert.Equal(auditBefore, await database.ScalarAsync("SELECT count(*) FROM audit_log"));
        Assert.Empty(await _host.GrantsAsync(user));
    }

    [Fact]
    public async Task APaidSubscriptionNobodyToldUsAbout_IsRaised_OnTheAttentionList_AndResolvedWithAnAuditLine()
    {
        var user = StripeTestHost.NewUser();
        var (sessionId, _) = await _host.CheckoutAsync(user, ProductCatalog.CreatorMonthly.Id);
        var paid = _host.Stripe.MarkSessionPaid(sessionId);

        // No event at all (e.g. the webhook endpoint was missing its event types): only the object lists can tell.
        var run = await RunAsync(ReconciliationSources.Stripe);
        Assert.Contains(run.Findings, f => f.Kind == FindingKinds.StripeSubscriptionMissing && f.ObjectKey == $"stripe:subscription:{paid.SubscriptionId}" && f.Status == FindingStatuses.Open);
        Assert.Contains(run.Findings, f => f.Kind == FindingKinds.StripePeriodMissing && f.ObjectKey == $"stripe:invoice:{paid.InvoiceId}");

        using var admin = _host.Factory.CreateServiceClient();
        admin.DefaultRequestHeaders.Add("X-Admin-Key", AdminKey);
        var attention = await admin.GetFromJsonAsync<JsonElement>("/internal/billing/admin/attention?limit=200");
        var entry = attention.GetProperty("items").EnumerateArray().Single(e => e.GetProperty("subject").GetString() == $"stripe:invoice:{paid.InvoiceId}");
        Assert.Equal(("finding", "reconciliation.stripe.period_missing"), (entry.GetProperty("source").GetString(), entry.GetProperty("kind").GetString()));

        var overview = await admin.GetFromJsonAsync<JsonElement>("/internal/billing/admin/reconciliation");
        Assert.Contains(overview.GetProperty("runs").EnumerateArray(), r => r.GetProperty("id").GetGuid() == run.RunId);
        var id = entry.GetProperty("id").GetString();

        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync(new Uri($"/internal/billing/admin/reconciliation/findings/{id}/resolve", UriKind.Relative), null)).StatusCode);
        var resolved = await admin.PostAsync(new Uri($"/internal/billing/admin/reconciliation/findings/{id}/resolve?reason=checked+in+the+dashboard", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync(new Uri($"/internal/billing/admin/reconciliation/findings/{id}/resolve?reason=again", UriKind.Relative), null)).StatusCode);
        Assert.Equal(1, await database.ScalarAsync($"SELECT count(*) FROM audit_log WHERE action = 'finding.resolve' AND object_id = '{id}' AND actor = 'admin-api'"));
        Assert.Equal(1, await database.ScalarAsync($"SELECT count(*) FROM reconciliation_findings WHERE id = '{id}' AND status = 'resolved' AND resolved_by = 'admin-api' AND resolved_at IS NOT NULL"));

        // Seen again by the next run: still one row, still resolved.
        var again = await RunAsync(ReconciliationSources.Stripe);
        Assert.Equal(0, again.FindingsNew);
        Assert.Equal(1, await database.ScalarAsync($"SELECT count(*) FROM reconciliation_findings WHERE object_key = 'stripe:invoice:{paid.InvoiceId}'"));
    }

    [Fact]
    public async Task TheAdminRoute_RunsAReconciliation_AndRefusesABadSourceOrSince_With400()
    {
        using var admin = _host.Factory.CreateServiceClient();
        admin.DefaultRequestHeaders.Add("X-Admin-Key", AdminKey);
        var ok = await admin.PostAsync(new Uri("/internal/billing/admin/reconcile?source=stripe&since=1h&dry_run=true", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("completed", (await ok.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync(new Uri("/internal/billing/admin/reconcile?source=paypal", UriKind.Relative), null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync(new Uri("/internal/billing/admin/reconcile?source=stripe&since=yesterday", UriKind.Relative), null)).StatusCode);
        using var anonymous = _host.Factory.CreateServiceClient();
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.PostAsync(new Uri("/internal/billing/admin/reconcile?source=stripe", UriKind.Relative), null)).StatusCode);
    }

    [Fact]
    public async Task TwoRunsAtOnce_TheSecondSkips_WhileTheAdvisoryLockIsHeld()
    {
        var locks = _host.Factory.Services.GetRequiredService<IReconciliationLock>();
        await using (var held = await locks.TryAcquireAsync(ReconciliationSources.Stripe, CancellationToken.None))
        {
            Assert.NotNull(held);
            var skipped = await RunAsync(ReconciliationSources.Stripe);
            Assert.Equal(("skipped", (Guid?)null), (skipped.Status, skipped.RunId));
        }

        Assert.Equal("completed", (await RunAsync(ReconciliationSources.Stripe)).Status);

        // Two real runs at once: at most one does the work, the other skips (or runs after it finished).
        var both = await Task.WhenAll(RunAsync(ReconciliationSources.Stripe), RunAsync(ReconciliationSources.Stripe));
        Assert.Contains(both, r => r.Status == "completed");
        Assert.All(both, r => Assert.Contains(r.Status, new[] { "completed", "skipped" }));
    }

    private async Task<ReconciliationRunResponse> RunAsync(string source, bool dryRun = false)
    {
        await using var scope = _host.Factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new RunReconciliationCommand(source, TimeSpan.FromHours(1), dryRun, By, ReconciliationTriggers.Cli));
    }
}
