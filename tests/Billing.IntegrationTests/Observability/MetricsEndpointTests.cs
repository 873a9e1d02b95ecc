using System.Net;
using System.Text;
using Billing.IntegrationTests.Infrastructure;
using Billing.IntegrationTests.Stripe;

namespace Billing.IntegrationTests.Observability;

/// <summary>/metrics answers in Prometheus text format with the metrics a payments on-call reads.</summary>
public sealed class MetricsEndpointTests(BillingDatabase database) : IClassFixture<BillingDatabase>, IAsyncLifetime
{
    private StripeTestHost _host = null!;

    public async Task InitializeAsync() => _host = await StripeTestHost.StartAsync(database);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task AfterAWebhook_TheScrapeCarriesIntakeInboxGrantAndFlashMetrics()
    {
        var eventType = "customer.metrics_probe_" + Guid.NewGuid().ToString("N")[..8];
        var payload = _host.Stripe.BuildEvent(eventType, """{"id":"cus_metrics","object":"customer"}""");
        await _host.DeliverPayloadAsync(payload);
        await _host.DeliverPayloadAsync(payload);
        var refused = await _host.PostWebhookAsync(Encoding.UTF8.GetBytes("{}"), "t=1,v1=00");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        await _host.ProcessInboxAsync();

        var response = await _host.Factory.CreateClient().GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Matches($"billing_webhooks_received_total\\{{[^}}]*provider=\"stripe\"[^}}]*type=\"{eventType}\"[^}}]*\\}} 1", text);
        Assert.Matches($"billing_webhooks_duplicate_total\\{{[^}}]*type=\"{eventType}\"[^}}]*\\}} 1", text);
        Assert.Matches("billing_webhooks_refused_total\\{[^}]*reason=\"signature\"[^}]*\\} [1-9]", text);
        Assert.Matches($"billing_inbox_outcomes_total\\{{[^}}]*outcome=\"ignored\"[^}}]*type=\"{eventType}\"[^}}]*\\}} 1", text);
        Assert.Contains("billing_inbox_backlog", text, StringComparison.Ordinal);
        Assert.Contains("billing_inbox_oldest_age_seconds", text, StringComparison.Ordinal);
        Assert.Matches("billing_grants\\{[^}]*status=\"pending\"[^}]*\\} \\d+", text);
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", text, StringComparison.Ordinal);
    }
}

/// <summary>One trace from intake to processing to the grant it owes: the intake's context is kept with the stored rows.</summary>
public sealed class TracePropagationTests(BillingDatabase database) : IClassFixture<BillingDatabase>, IAsyncLifetime
{
    private StripeTestHost _host = null!;

    public async Task InitializeAsync() => _host = await StripeTestHost.StartAsync(database);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task ProcessingAndTheGrant_ContinueTheTraceOfTheWebhookThatStoredTheEvent()
    {
        var user = StripeTestHost.NewUser();
        var (sessionId, _) = await _host.CheckoutAsync(user, Billing.Domain.Catalog.ProductCatalog.Explorer.Id);
        _host.Stripe.MarkSessionPaid(sessionId);
        var processed = new List<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == Billing.Application.Abstractions.Telemetry.BillingTelemetry.Name,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => { lock (processed) { processed.Add(activity); } },
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);

        var eventId = await _host.DeliverAsync("checkout.session.completed", sessionId);
        await _host.ProcessInboxAsync();

        var stored = await TextAsync($"SELECT trace_parent FROM inbox_events WHERE provider = 'stripe' AND event_id = '{eventId}'");
        Assert.NotNull(stored);
        Assert.True(System.Diagnostics.ActivityContext.TryParse(stored, null, out var intake), stored);
        System.Diagnostics.Activity span;
        lock (processed)
        {
            span = Assert.Single(processed, a => a.OperationName == "inbox.process");
        }

        Assert.Equal(intake.TraceId, span.TraceId);
        Assert.Equal(intake.SpanId, span.ParentSpanId);
        var grantTrace = await TextAsync($"SELECT trace_parent FROM credit_grants WHERE user_id = '{user}'");
        Assert.True(System.Diagnostics.ActivityContext.TryParse(grantTrace, null, out var grant), grantTrace);
        Assert.Equal(intake.TraceId, grant.TraceId);
    }

    private async Task<string?> TextAsync(string sql)
    {
        await using var command = _host.Database.DataSource.CreateCommand(sql);
        return await command.ExecuteScalarAsync() as string;
    }
}
