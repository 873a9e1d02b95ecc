using System.Globalization;

namespace Billing.Domain.Common;

/// <summary>An amount in integer minor units (cents) of an ISO 4217 currency. No floating point anywhere near money.</summary>
public readonly record struct Money
{
    public long MinorUnits { get; }

    public string Currency { get; }

    private Money(long minorUnits, string currency)
    {
        MinorUnits = minorUnits;
        Currency = currency;
    }

    public static Money Of(long minorUnits, string currency)
    {
        if (minorUnits < 0)
        {
            throw new InvalidDomainValueException("money.negative", "An amount cannot be negative.");
        }

        if (currency is null || currency.Length != 3 || !currency.All(char.IsAsciiLetter))
        {
            throw new InvalidDomainValueException("money.currency", "A currency is a three-letter ISO 4217 code.");
        }

        return new Money(minorUnits, currency.ToUpperInvariant());
    }

    public static Money Usd(long cents) => Of(cents, "USD");

    /// <summary>"$2.99" for USD, "2.99 EUR" otherwise. Every catalog currency has two decimals.</summary>
    public string Display()
    {
        var major = (MinorUnits / 100).ToString(CultureInfo.InvariantCulture);
        var minor = (MinorUnits % 100).ToString("00", CultureInfo.InvariantCulture);
        return Currency == "USD" ? $"${major}.{minor}" : $"{major}.{minor} {Currency}";
    }

    public override string ToString() => Display();
}
