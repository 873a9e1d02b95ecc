using System.Globalization;
using System.Text.Json.Nodes;

namespace Billing.TestFakes.Stripe;

/// <summary>
/// The list endpoints reconciliation reads, as Stripe documents them: newest first, <c>limit</c> 1–100 (default 10),
/// cursor <c>starting_after</c> / <c>ending_before</c> (an object id of the list), <c>created</c> as an integer or
/// <c>created[gt|gte|lt|lte]</c>, and an envelope <c>{object: "list", url, has_more, data}</c>. Events: <c>type</c> or
/// <c>types[]</c> (at most 20). Checkout sessions and invoices: <c>status</c>.
/// </summary>
public sealed partial class StripeFake
{
    private static readonly HashSet<string> ListShapes =
        ["limit", "starting_after", "ending_before", "created", "created[gt]", "created[gte]", "created[lt]", "created[lte]", "expand[]", "expand[#]"];

    /// <summary>Every event this fake built (delivered or not), as <c>GET /v1/events</c> lists them.</summary>
    public int EventCount
    {
        get
        {
            lock (_gate)
            {
                return _eventLog.Count;
            }
        }
    }

    /// <summary>
    /// An event that exists at Stripe but whose webhook never arrived: built like any other (and so listed by
    /// <c>GET /v1/events</c>), never posted. Returns its id.
    /// </summary>
    public string CreateUndeliveredEvent(string type, string objectId, DateTimeOffset? created = null)
    {
        var payload = BuildEventForObject(type, objectId, created: created);
        return System.Text.Json.JsonDocument.Parse(payload).RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>An event's JSON as built (what its webhook would carry).</summary>
    public string GetEventJson(string eventId)
    {
        lock (_gate)
        {
            return _events[eventId];
        }
    }

    private JsonObject? ListRoute(string path, StripeFakeForm query)
    {
        switch (path)
        {
            case "/v1/events":
                RequireKnown(query, [.. ListShapes, "type", "types[]", "types[#]", "delivery_success"]);
                var types = query.List("types");
                if (types.Count > 20)
                {
                    throw Invalid("You may pass at most 20 event types.", "types");
                }

                var single = query.Get("type");
                var events = _eventLog
                    .Where(e => (types.Count == 0 || types.Contains(e.Type)) && (single is null || Matches(single, e.Type)))
                    .Select(e => (e.Id, e.Created));
                return Page(path, query, events, id => JsonNode.Parse(_events[id])!.AsObject());

            case "/v1/checkout/sessions":
                RequireKnown(query, [.. ListShapes, "status", "customer", "subscription", "payment_intent"]);
                var sessionStatus = query.Get("status");
                var sessions = _sessions.Values
                    .Where(s => sessionStatus is null || s.Status == sessionStatus)
                    .Select(s => (s.Id, s.Created));
                return Page(path, query, sessions, id => _sessions[id].Render(expandLineItems: false));

            case "/v1/invoices":
                RequireKnown(query, [.. ListShapes, "status", "customer", "subscription", "collection_method"]);
                var invoiceStatus = query.Get("status");
                var invoices = _invoices.Values
                    .Where(i => invoiceStatus is null || i.Status == invoiceStatus)
                    .Select(i => (i.Id, i.Created));
                return Page(path, query, invoices, id => _invoices[id].Render());

            default:
                return null;
        }
    }

    /// <summary>Stripe's <c>type</c> filter accepts a trailing <c>*</c> wildcard (<c>invoice.*</c>).</summary>
    private static bool Matches(string filter, string type) =>
        filter.EndsWith('*') ? type.StartsWith(filter[..^1], StringComparison.Ordinal) : filter == type;

    private JsonObject Page(string path, StripeFakeForm query, IEnumerable<(string Id, long Created)> items, Func<string, JsonObject> render)
    {
        var limit = 10;
        if (query.Get("limit") is { } limitText)
        {
            limit = int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed is >= 1 and <= 100
                ? parsed
                : throw Invalid("limit must be an integer between 1 and 100.", "limit");
        }

        var filtered = items.Where(i => InCreatedRange(query, i.Created));

        // Newest first; the fake's ids grow with creation, so they break ties the way creation order does.
        var ordered = filtered.OrderByDescending(i => i.Created).ThenByDescending(i => i.Id, StringComparer.Ordinal).ToList();
        var startingAfter = query.Get("starting_after");
        var endingBefore = query.Get("ending_before");
        List<(string Id, long Created)> window;
        bool hasMore;
        if (startingAfter is not null)
        {
            var at = ordered.FindIndex(i => i.Id == startingAfter);
            if (at < 0)
            {
                throw Invalid($"No such object: '{startingAfter}'", "starting_after", code: "resource_missing");
            }

            window = [.. ordered.Skip(at + 1).Take(limit)];
            hasMore = ordered.Count > at + 1 + limit;
        }
        else if (endingBefore is not null)
        {
            var at = ordered.FindIndex(i => i.Id == endingBefore);
            if (at < 0)
            {
                throw Invalid($"No such object: '{endingBefore}'", "ending_before", code: "resource_missing");
            }

            var from = Math.Max(0, at - limit);
            window = [.. ordered.Skip(from).Take(at - from)];
            hasMore = from > 0;
        }
        else
        {
            window = [.. ordered.Take(limit)];
            hasMore = ordered.Count > limit;
        }

        var data = new JsonArray();
        foreach (var item in window)
        {
            data.Add(render(item.Id));
        }

        return new JsonObject { ["object"] = "list", ["url"] = path, ["has_more"] = hasMore, ["data"] = data };
    }

    private static bool InCreatedRange(StripeFakeForm query, long created)
    {
        bool Check(string key, Func<long, bool> test) =>
            query.Get(key) is not { } text
            || (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var bound)
                ? test(bound)
                : throw Invalid($"Invalid integer: {text}", key));

        return Check("created", b => created == b)
            && Check("created[gt]", b => created > b)
            && Check("created[gte]", b => created >= b)
            && Check("created[lt]", b => created < b)
            && Check("created[lte]", b => created <= b);
    }

    private sealed record LoggedEvent(string Id, long Created, string Type);
}
