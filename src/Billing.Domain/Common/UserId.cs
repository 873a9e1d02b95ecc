namespace Billing.Domain.Common;

/// <summary>The Flash user id (a UUID string owned by Flash). Billing keeps it as an opaque string, no foreign key.</summary>
public readonly record struct UserId
{
    public const int MaxLength = 255;

    public string Value { get; }

    private UserId(string value) => Value = value;

    public static UserId From(string? value)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            throw new InvalidDomainValueException("user_id.missing", "A user id is required.");
        }

        if (trimmed.Length > MaxLength)
        {
            throw new InvalidDomainValueException("user_id.too_long", $"A user id has at most {MaxLength} characters.");
        }

        if (trimmed.Any(char.IsControl))
        {
            throw new InvalidDomainValueException("user_id.invalid", "A user id cannot contain control characters.");
        }

        return new UserId(trimmed);
    }

    public override string ToString() => Value;
}
