namespace Billing.Application.Common;

/// <summary>The thing asked for does not exist (mapped to 404).</summary>
public sealed class NotFoundException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}
