using Billing.Application.Inbox.BrowseInboxEvents;
using Billing.Application.Inbox.ReplayInboxEvent;
using MediatR;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Admin.Pages.Admin;

public sealed class EventsModel(IMediator mediator, InboxReplayer replayer) : ConsolePageModel(mediator)
{
    private const int PageSize = 100;

    private static readonly string[] Statuses = ["received", "processed", "ignored", "failed"];

    public override string Section => "events";

    public string? Provider { get; private set; }

    public string? Type { get; private set; }

    public string? Status { get; private set; }

    public DateOnly? From { get; private set; }

    public DateOnly? To { get; private set; }

    public InboxEventPage Result { get; private set; } = null!;

    /// <summary>Bulk replay is offered only for a filtered list, never for "everything".</summary>
    public bool IsFiltered => Provider is not null || Type is not null || Status is not null || From is not null || To is not null;

    public async Task OnGetAsync(string? provider, string? type, string? status, DateOnly? from, DateOnly? to, long? before)
    {
        Filter(provider, type, status, from, to);
        Result = await Mediator.Send(Query(before), HttpContext.RequestAborted);
    }

    /// <summary>Replays the first page of the filtered list (what the operator saw), each event audited on its own.</summary>
    public Task<IActionResult> OnPostReplayShownAsync(string? provider, string? type, string? status, DateOnly? from, DateOnly? to, string? reason)
    {
        Filter(provider, type, status, from, to);
        return Act(
            async () =>
            {
                if (!IsFiltered)
                {
                    throw new FluentValidation.ValidationException("Filter the events before replaying several at once.");
                }

                var shown = await Mediator.Send(Query(null), HttpContext.RequestAborted);
                var by = By(reason);
                var outcomes = new List<string>();
                foreach (var e in shown.Events)
                {
                    outcomes.Add((await replayer.ReplayAsync(e.Id, by, HttpContext.RequestAborted)).Status);
                }

                var summary = string.Join(", ", outcomes.GroupBy(o => o).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}"));
                return $"Replayed {outcomes.Count} event(s): {summary}.";
            },
            () => Redirect(ListUrl(null)));
    }

    public string NextPageUrl(long beforeId) => ListUrl(beforeId);

    private void Filter(string? provider, string? type, string? status, DateOnly? from, DateOnly? to)
    {
        Provider = provider is "stripe" or "apple" ? provider : null;
        Type = string.IsNullOrWhiteSpace(type) ? null : type.Trim()[..Math.Min(100, type.Trim().Length)];
        Status = Statuses.Contains(status) ? status : null;
        From = from;
        To = to;
    }

    private BrowseInboxEventsQuery Query(long? before) => new(Provider, Type, Status, Day(From), Day(To)?.AddDays(1), before, PageSize);

    private string ListUrl(long? beforeId)
    {
        var query = new QueryBuilder();
        foreach (var (key, value) in new[] { ("provider", Provider), ("type", Type), ("status", Status), ("from", From?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)), ("to", To?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)) })
        {
            if (value is not null)
            {
                query.Add(key, value);
            }
        }

        if (beforeId is { } before)
        {
            query.Add("before", before.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return "/admin/events" + query.ToQueryString();
    }

    private static DateTimeOffset? Day(DateOnly? day) => day is { } d ? new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : null;
}
