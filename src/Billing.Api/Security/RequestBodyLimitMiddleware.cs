using Microsoft.AspNetCore.Http.Features;

namespace Billing.Api.Security;

/// <summary>
/// Refuses a declared body over the limit before anything reads it (413). Kestrel enforces the same limit on the wire
/// (chunked bodies included); this keeps the rule when the app runs on another server, and answers with ProblemDetails.
/// </summary>
internal sealed class RequestBodyLimitMiddleware(RequestDelegate next, ApiSettings settings, IProblemDetailsService problems)
{
    public const int DefaultLimit = 256 * 1024;

    private readonly long _limit = settings.MaxRequestBodyBytes;

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = _limit;
        }

        if (context.Request.ContentLength > _limit)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails =
                {
                    Status = StatusCodes.Status413PayloadTooLarge,
                    Title = "Request body too large",
                    Detail = $"This service accepts bodies of at most {_limit} bytes.",
                    Extensions = { ["code"] = "request.too_large" },
                },
            });
            return;
        }

        await next(context);
    }
}
