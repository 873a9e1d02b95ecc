namespace Billing.Domain.Common;

/// <summary>A non-negative number of Flash credits. Clawbacks are expressed as a signed grant amount, never as negative credits.</summary>
public readonly record struct Credits : IComparable<Credits>
{
    public int Value { get; }

    private Credits(int value) => Value = value;

    public static Credits Zero => default;

    public static Credits Of(int value) => value < 0
        ? throw new InvalidDomainValueException("credits.negative", "Credits cannot be negative.")
        : new Credits(value);

    public static Credits operator +(Credits left, Credits right) => new(checked(left.Value + right.Value));

    public static Credits operator -(Credits left, Credits right) => Of(left.Value - right.Value);

    public static bool operator <(Credits left, Credits right) => left.Value < right.Value;

    public static bool operator >(Credits left, Credits right) => left.Value > right.Value;

    public static bool operator <=(Credits left, Credits right) => left.Value <= right.Value;

    public static bool operator >=(Credits left, Credits right) => left.Value >= right.Value;

    public int CompareTo(Credits other) => Value.CompareTo(other.Value);

    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
