namespace Billing.Api.Security;

/// <summary>
/// Operator routes need, on top of the service key, X-Admin-Key equal to BILLING_ADMIN_KEY. Without BILLING_ADMIN_KEY the
/// operator routes are disabled (403): flash-deploy's service key alone must not be able to requeue money.
/// </summary>
internal sealed class AdminKeyFilter(ApiSettings settings) : IEndpointFilter
{
    public const string HeaderName = "X-Admin-Key";

    private readonly ServiceKeyOptions? _adminKey = settings.AdminKey is { } key ? new ServiceKeyOptions(key) : null;

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (_adminKey is null)
        {
            return ValueTask.FromResult<object?>(Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: "Operator routes are disabled (BILLING_ADMIN_KEY is not set)."));
        }

        var presented = context.HttpContext.Request.Headers[HeaderName].ToString();
        if (presented.Length == 0 || !_adminKey.Matches(presented))
        {
            return ValueTask.FromResult<object?>(Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: "The X-Admin-Key header is missing or not valid."));
        }

        return next(context);
    }
}
