namespace Billing.Domain.Common;

/// <summary>A paid subscription period [Start, End).</summary>
public readonly record struct BillingPeriod
{
    public DateTimeOffset Start { get; }

    public DateTimeOffset End { get; }

    private BillingPeriod(DateTimeOffset start, DateTimeOffset end)
    {
        Start = start;
        End = end;
    }

    public static BillingPeriod Of(DateTimeOffset start, DateTimeOffset end) => end <= start
        ? throw new InvalidDomainValueException("period.invalid", "A billing period must end after it starts.")
        : new BillingPeriod(start.ToUniversalTime(), end.ToUniversalTime());

    public override string ToString() => $"{Start:O}..{End:O}";
}
