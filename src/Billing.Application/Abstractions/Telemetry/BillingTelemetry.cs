using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Billing.Application.Abstractions.Telemetry;

/// <summary>
/// The service's one trace source and one meter, both named <see cref="Name"/> (what the OpenTelemetry set-up listens to).
/// Spans: <c>inbox.process</c> (a stored provider event), <c>grant.deliver</c> (one grant to Flash); intake and the Flash
/// calls are the ASP.NET Core and HttpClient spans. The stored trace parent links processing to intake and delivery to processing.
/// </summary>
public static class BillingTelemetry
{
    public const string Name = "Timepoint.Billing";

    public static readonly ActivitySource ActivitySource = new(Name);

    /// <summary>Starts a span under a stored W3C trace parent (when there is one and it parses).</summary>
    public static Activity? StartActivity(string name, ActivityKind kind, string? storedTraceParent) =>
        storedTraceParent is not null && ActivityContext.TryParse(storedTraceParent, null, out var parent)
            ? ActivitySource.StartActivity(name, kind, parent)
            : ActivitySource.StartActivity(name, kind);
}

/// <summary>
/// The counters and histograms a payments on-call reads (Prometheus names in brackets, after the exporter's renaming):
/// webhooks received / refused / duplicate by provider and type, grant delivery latency, Flash outcomes, relay requests
/// and 429s. Gauges over the database (inbox backlog and age, grants by status) are registered by Infrastructure.
/// </summary>
public sealed class BillingMetrics
{
    /// <param name="meterFactory">The host's factory (so the host's metrics pipeline sees the meter); a plain meter without one.</param>
    public BillingMetrics(IMeterFactory? meterFactory = null)
    {
        Meter = meterFactory?.Create(BillingTelemetry.Name) ?? new Meter(BillingTelemetry.Name);
        WebhooksReceived = Meter.CreateCounter<long>("billing.webhooks.received", "{event}", "Provider events verified and stored in the inbox (first delivery).");
        WebhooksDuplicate = Meter.CreateCounter<long>("billing.webhooks.duplicate", "{event}", "Provider events delivered again and acknowledged without storing.");
        WebhooksRefused = Meter.CreateCounter<long>("billing.webhooks.refused", "{event}", "Webhook requests refused before storing (signature, format, size).");
        InboxOutcomes = Meter.CreateCounter<long>("billing.inbox.outcomes", "{event}", "Stored provider events processed, ignored (with a reason) or failed for a retry.");
        GrantDeliveryLatency = Meter.CreateHistogram("billing.grants.delivery.latency", "s", "From a grant being recorded to Flash confirming it.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600] });
        FlashOutcomes = Meter.CreateCounter<long>("billing.flash.outcomes", "{attempt}", "Outcomes of grant attempts sent to Flash: applied, rejected, not_sent, ambiguous, owed_debt.");
        RelayRequests = Meter.CreateCounter<long>("billing.relay.requests", "{request}", "Requests to the generation relay.");
        RelayRateLimited = Meter.CreateCounter<long>("billing.relay.rate_limited", "{request}", "Relay requests answered 429.");
    }

    public Meter Meter { get; }

    public Counter<long> WebhooksReceived { get; }

    public Counter<long> WebhooksDuplicate { get; }

    public Counter<long> WebhooksRefused { get; }

    public Counter<long> InboxOutcomes { get; }

    public Histogram<double> GrantDeliveryLatency { get; }

    public Counter<long> FlashOutcomes { get; }

    public Counter<long> RelayRequests { get; }

    public Counter<long> RelayRateLimited { get; }

    public void WebhookStored(string provider, string eventType, bool duplicate) =>
        (duplicate ? WebhooksDuplicate : WebhooksReceived).Add(1, new("provider", provider), new("type", eventType));

    public void WebhookRefused(string provider, string reason) =>
        WebhooksRefused.Add(1, new("provider", provider), new("reason", reason));

    public void InboxOutcome(string provider, string eventType, string outcome) =>
        InboxOutcomes.Add(1, new("provider", provider), new("type", eventType), new("outcome", outcome));

    public void FlashOutcome(string outcome, bool clawback) =>
        FlashOutcomes.Add(1, new("outcome", outcome), new("kind", clawback ? "clawback" : "grant"));
}
