using System.Security.Cryptography;
using System.Text;

namespace Billing.Api.Security;

/// <summary>
/// Guards every /internal route: X-Service-Key must equal SERVICE_API_KEY. Compared in constant time over SHA-256 digests
/// (equal length, so the comparison leaks neither content nor length). The key is never logged.
/// </summary>
internal sealed class ServiceKeyFilter(ServiceKeyOptions options) : IEndpointFilter
{
    public const string HeaderName = "X-Service-Key";

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var presented = context.HttpContext.Request.Headers[HeaderName].ToString();
        if (presented.Length == 0 || !options.Matches(presented))
        {
            return ValueTask.FromResult<object?>(Results.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Unauthorized",
                detail: presented.Length == 0 ? "The X-Service-Key header is required." : "The service key is not valid.",
                type: "https://timepointai.com/problems/unauthorized"));
        }

        return next(context);
    }
}

internal sealed class ServiceKeyOptions
{
    private readonly byte[] _expectedDigest;

    public ServiceKeyOptions(string serviceKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceKey);
        _expectedDigest = SHA256.HashData(Encoding.UTF8.GetBytes(serviceKey));
    }

    public bool Matches(string presented) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _expectedDigest);
}
