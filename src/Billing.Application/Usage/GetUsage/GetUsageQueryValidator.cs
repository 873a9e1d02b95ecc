using Billing.Domain.Common;
using FluentValidation;

namespace Billing.Application.Usage.GetUsage;

internal sealed class GetUsageQueryValidator : AbstractValidator<GetUsageQuery>
{
    private readonly TimeProvider _time;

    public GetUsageQueryValidator(TimeProvider time)
    {
        _time = time;
        RuleFor(q => q.UserId).NotEmpty().MaximumLength(UserId.MaxLength);
        RuleFor(q => q.Granularity)
            .Must(g => UsageWindow.TryParseGranularity(g, out _))
            .WithMessage("granularity is 'hour' or 'day'.");
        RuleFor(q => q.From)
            .Must(v => UsageWindow.TryParseTimestamp(v, out _))
            .When(q => q.From is not null)
            .WithMessage("from is an ISO 8601 timestamp, e.g. 2026-12-01T00:00:00Z.");
        RuleFor(q => q.To)
            .Must(v => UsageWindow.TryParseTimestamp(v, out _))
            .When(q => q.To is not null)
            .WithMessage("to is an ISO 8601 timestamp, e.g. 2026-12-02T00:00:00Z.");
        RuleFor(q => q.KeyId)
            .MaximumLength(64)
            .Matches("^[A-Za-z0-9_]+$")
            .When(q => q.KeyId is not null)
            .WithMessage("key_id is a key id such as key_…");
        // The span is checked on the resolved window (defaults filled, widened to whole buckets), so no default can slip past it.
        RuleFor(q => q)
            .Must(SpanIsValid)
            .When(q => (q.From is null || UsageWindow.TryParseTimestamp(q.From, out _))
                && (q.To is null || UsageWindow.TryParseTimestamp(q.To, out _))
                && UsageWindow.TryParseGranularity(q.Granularity, out _))
            .OverridePropertyName("to")
            .WithMessage($"to must be after from, at most {UsageWindow.MaxHourSpan.TotalDays:0} days later for hour buckets and {UsageWindow.MaxDaySpan.TotalDays:0} for day buckets.");
    }

    private bool SpanIsValid(GetUsageQuery query)
    {
        UsageWindow.TryParseGranularity(query.Granularity, out var granularity);
        var (from, to) = UsageWindow.Resolve(query.From, query.To, granularity, _time.GetUtcNow());
        if (query.From is not null && query.To is not null
            && UsageWindow.TryParseTimestamp(query.From, out var rawFrom) && UsageWindow.TryParseTimestamp(query.To, out var rawTo) && rawTo <= rawFrom)
        {
            return false;
        }

        var max = granularity == Abstractions.Usage.UsageGranularity.Hour ? UsageWindow.MaxHourSpan : UsageWindow.MaxDaySpan;
        return to > from && to - from <= max + (2 * Bucket(granularity));
    }

    /// <summary>Widening to whole buckets adds less than one bucket at each end; that is not the caller's fault.</summary>
    private static TimeSpan Bucket(Abstractions.Usage.UsageGranularity granularity) =>
        granularity == Abstractions.Usage.UsageGranularity.Hour ? TimeSpan.FromHours(1) : TimeSpan.FromDays(1);
}
