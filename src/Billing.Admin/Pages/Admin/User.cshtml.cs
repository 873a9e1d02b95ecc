using Billing.Application.OperatorConsole.UserTimeline;
using Billing.Application.ApiKeys;
using Billing.Application.ApiKeys.ListApiKeys;
using Billing.Application.Usage.GetUsage;
using MediatR;

namespace Billing.Admin.Pages.Admin;

public sealed class UserModel(IMediator mediator) : GrantActionsPageModel(mediator)
{
    public override string Section => "search";

    public UserTimeline Timeline { get; private set; } = null!;

    public ApiKeyListResponse Keys { get; private set; } = null!;

    /// <summary>The last 30 days of metered calls, one point per day (all keys together).</summary>
    public IReadOnlyList<(DateTimeOffset Day, long Requests, long RateLimited)> UsagePerDay { get; private set; } = [];

    public async Task OnGetAsync(string userId)
    {
        Timeline = await Mediator.Send(new GetUserTimelineQuery(userId), HttpContext.RequestAborted);
        Keys = await Mediator.Send(new ListApiKeysQuery(userId), HttpContext.RequestAborted);
        var usage = await Mediator.Send(new GetUsageQuery(userId, null, null, "day", null), HttpContext.RequestAborted);
        var byDay = usage.Buckets.GroupBy(b => b.Start.UtcDateTime.Date).ToDictionary(g => g.Key, g => (g.Sum(b => b.Requests), g.Sum(b => b.RateLimited)));
        var today = DateTime.UtcNow.Date;
        UsagePerDay = [.. Enumerable.Range(0, 30).Select(d => today.AddDays(d - 29)).Select(day =>
            (new DateTimeOffset(day, TimeSpan.Zero), byDay.GetValueOrDefault(day).Item1, byDay.GetValueOrDefault(day).Item2))];
    }
}
