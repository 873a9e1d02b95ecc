using Billing.Application.Inbox.ListInboxEvents;
using MediatR;
using Microsoft.AspNetCore.Http.Extensions;

namespace Billing.Admin.Pages.Admin;

public sealed class EventsModel(IMediator mediator) : ConsolePageModel(mediator)
{
    private static readonly string[] Statuses = ["received", "processed", "ignored", "failed"];

    public override string Section => "events";

    public string? Provider { get; private set; }

    public string? Type { get; private set; }

    public string? Status { get; private set; }

    public DateOnly? From { get; private set; }

    public DateOnly? To { get; private set; }

    public InboxEventPage Result { get; private set; } = null!;

    public async Task OnGetAsync(string? provider, string? type, string? status, DateOnly? from, DateOnly? to, long? before)
    {
        Provider = provider is "stripe" or "apple" ? provider : null;
        Type = string.IsNullOrWhiteSpace(type) ? null : type.Trim()[..Math.Min(100, type.Trim().Length)];
        Status = Statuses.Contains(status) ? status : null;
        From = from;
        To = to;
        Result = await Mediator.Send(
            new ListInboxEventsQuery(Provider, Type, Status, Day(from), Day(to)?.AddDays(1), before, 100),
            HttpContext.RequestAborted);
    }

    public string NextPageUrl(long beforeId)
    {
        var query = new QueryBuilder();
        foreach (var (key, value) in new[] { ("provider", Provider), ("type", Type), ("status", Status), ("from", From?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)), ("to", To?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)) })
        {
            if (value is not null)
            {
                query.Add(key, value);
            }
        }

        query.Add("before", beforeId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return "/admin/events" + query.ToQueryString();
    }

    private static DateTimeOffset? Day(DateOnly? day) => day is { } d ? new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : null;
}
