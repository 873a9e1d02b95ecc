using Microsoft.AspNetCore.Http;

namespace Billing.Admin.Security;

/// <summary>
/// Headers for every /admin response: a CSP that allows only this origin's own files (no inline script, no framing),
/// no MIME sniffing, no referrer leaving the console, and no caching of pages that show money.
/// </summary>
internal sealed class ConsoleSecurityHeadersMiddleware(RequestDelegate next)
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments(ConsoleEndpoints.BasePath, StringComparison.OrdinalIgnoreCase))
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
                if (!context.Request.Path.StartsWithSegments(ConsoleEndpoints.AssetsPath, StringComparison.OrdinalIgnoreCase))
                {
                    headers.CacheControl = "no-store";
                }

                return Task.CompletedTask;
            });
        }

        return next(context);
    }
}
