namespace Billing.Domain.Common;

/// <summary>A business rule refused the change (an illegal transition, an invalid value). Mapped to 409/400 at the edge.</summary>
public class DomainException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>A value handed to the domain is malformed (a client mistake, mapped to 400).</summary>
public sealed class InvalidDomainValueException(string code, string message) : DomainException(code, message);
