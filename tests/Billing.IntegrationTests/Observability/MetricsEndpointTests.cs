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
