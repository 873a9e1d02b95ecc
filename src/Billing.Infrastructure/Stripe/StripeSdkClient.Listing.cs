using System.Text;
using System.Text.Json;
using Billing.Application.Abstractions.Stripe;
using Stripe;
using Stripe.Checkout;

namespace Billing.Infrastructure.Stripe;

/// <summary>The list calls of reconciliation, with the same retry policy as every other read.</summary>
internal sealed partial class StripeSdkClient : IStripeListing
{
    private static readonly StripeEventReader EventReader = new();

    public bool IsConfigured => true;

    public Task<StripePage<StripeListedEvent>> ListEventsAsync(
        DateTimeOffset createdSince, IReadOnlyCollection<string> types, string? startingAfter, int limit, CancellationToken cancellationToken)
    {
        var list = new EventListOptions
        {
            Created = new DateRangeOptions { GreaterThanOrEqual = createdSince.UtcDateTime },
            Types = [.. types],
            StartingAfter = startingAfter,
            Limit = limit,
        };
        return GetAsync("GET /v1/events", (request, ct) => new EventService(_client).ListAsync(list, request, ct), ListedEvents, cancellationToken);
    }

    public Task<StripePage<StripeCheckoutSession>> ListCompletedCheckoutSessionsAsync(
        DateTimeOffset createdSince, string? startingAfter, int limit, CancellationToken cancellationToken)
    {
        var list = new SessionListOptions
        {
            Created = new DateRangeOptions { GreaterThanOrEqual = createdSince.UtcDateTime },
            Status = "complete",
            StartingAfter = startingAfter,
            Limit = limit,
        };
        return GetAsync(
            "GET /v1/checkout/sessions",
            (request, ct) => new SessionService(_client).ListAsync(list, request, ct),
            page => new StripePage<StripeCheckoutSession>([.. page.Data.Select(StripeSdkMapping.CheckoutSession)], page.HasMore),
            cancellationToken);
    }

    public Task<StripePage<StripeInvoice>> ListPaidInvoicesAsync(
        DateTimeOffset createdSince, string? startingAfter, int limit, CancellationToken cancellationToken)
    {
        var list = new InvoiceListOptions
        {
            Created = new DateRangeOptions { GreaterThanOrEqual = createdSince.UtcDateTime },
            Status = "paid",
            StartingAfter = startingAfter,
            Limit = limit,
        };
        return GetAsync(
            "GET /v1/invoices",
            (request, ct) => new InvoiceService(_client).ListAsync(list, request, ct),
            page => new StripePage<StripeInvoice>([.. page.Data.Select(StripeSdkMapping.Invoice)], page.HasMore),
            cancellationToken);
    }

    /// <summary>
    /// Each event's JSON exactly as Stripe sent it (taken from the response body, not re-serialised by the SDK, which would
    /// drop fields it does not model), read by the same reader as a webhook body.
    /// </summary>
    private static StripePage<StripeListedEvent> ListedEvents(StripeList<Event> page)
    {
        var events = new List<StripeListedEvent>(page.Data.Count);
        if (page.StripeResponse?.Content is { Length: > 0 } content)
        {
            using var body = JsonDocument.Parse(content);
            foreach (var item in body.RootElement.GetProperty("data").EnumerateArray())
            {
                events.Add(Listed(item.GetRawText()));
            }
        }
        else
        {
            events.AddRange(page.Data.Select(e => Listed(e.ToJson())));
        }

        return new StripePage<StripeListedEvent>(events, page.HasMore);
    }

    private static StripeListedEvent Listed(string json) =>
        EventReader.TryRead(Encoding.UTF8.GetBytes(json), out var stripeEvent, out var error)
            ? new StripeListedEvent(stripeEvent, json)
            : throw new StripeObjectFormatException($"A listed Stripe event could not be read: {error}");
}
