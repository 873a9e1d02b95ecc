using System.Security.Cryptography;
using Billing.Admin.Security;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.Admin;

/// <summary>Wiring of the web console at /admin: Razor Pages, the cookie session, antiforgery, headers and its own assets.</summary>
public static class ConsoleEndpoints
{
    public const string BasePath = "/admin";
    public const string AssetsPath = "/admin/assets";

    private static readonly Dictionary<string, (byte[] Body, string ContentType, string ETag)> Assets = LoadAssets();

    public static IServiceCollection AddBillingConsole(this IServiceCollection services)
    {
        services.AddRazorPages(options =>
        {
            options.Conventions.AuthorizeFolder("/Admin", ConsoleAuth.ViewerPolicy);
            options.Conventions.AllowAnonymousToPage("/Admin/SignIn");
            options.Conventions.AuthorizePage("/Admin/Operators", ConsoleAuth.AdminPolicy);
        });
        services.AddAuthentication()
            .AddCookie(ConsoleAuth.Scheme, options =>
            {
                options.Cookie.Name = ConsoleAuth.CookieName;
                options.Cookie.Path = BasePath;
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.ExpireTimeSpan = ConsoleAuth.SessionLifetime;
                options.SlidingExpiration = false;
                options.LoginPath = BasePath + "/sign-in";
                options.LogoutPath = BasePath + "/sign-out";
                options.AccessDeniedPath = BasePath + "/denied";
                options.Events = new CookieAuthenticationEvents { OnValidatePrincipal = ConsoleAuth.ValidatePrincipal };
            });
        services.AddAuthorizationBuilder()
            .AddPolicy(ConsoleAuth.ViewerPolicy, p => p.AddAuthenticationSchemes(ConsoleAuth.Scheme).RequireAuthenticatedUser())
            .AddPolicy(ConsoleAuth.OperatorPolicy, p => p.AddAuthenticationSchemes(ConsoleAuth.Scheme).RequireRole("operator", "admin"))
            .AddPolicy(ConsoleAuth.AdminPolicy, p => p.AddAuthenticationSchemes(ConsoleAuth.Scheme).RequireRole("admin"));
        services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "billing_console_af";
            options.Cookie.Path = BasePath;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.FormFieldName = "__af";
            options.HeaderName = null;
        });
        services.Configure<Microsoft.AspNetCore.Mvc.CookieTempDataProviderOptions>(options =>
        {
            options.Cookie.Name = "billing_console_flash";
            options.Cookie.Path = BasePath;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        return services;
    }

    /// <summary>Security headers for /admin, then authentication and authorization (the service's other routes use neither).</summary>
    public static IApplicationBuilder UseBillingConsole(this IApplicationBuilder app)
    {
        app.UseMiddleware<ConsoleSecurityHeadersMiddleware>();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    public static IEndpointRouteBuilder MapBillingConsole(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapRazorPages();
        endpoints.MapGet(AssetsPath + "/{name}", (string name, HttpContext context) =>
        {
            if (!Assets.TryGetValue(name, out var asset))
            {
                return Results.NotFound();
            }

            context.Response.Headers.CacheControl = "public, max-age=3600";
            context.Response.Headers.ETag = asset.ETag;
            if (context.Request.Headers.IfNoneMatch == asset.ETag)
            {
                return Results.StatusCode(StatusCodes.Status304NotModified);
            }

            return Results.Bytes(asset.Body, asset.ContentType);
        }).ExcludeFromDescription();
        return endpoints;
    }

    private static Dictionary<string, (byte[], string, string)> LoadAssets()
    {
        var assembly = typeof(ConsoleEndpoints).Assembly;
        var assets = new Dictionary<string, (byte[], string, string)>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(r => r.StartsWith("Billing.Admin.Assets.", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            var body = memory.ToArray();
            var name = resource["Billing.Admin.Assets.".Length..];
            var type = Path.GetExtension(name) switch
            {
                ".css" => "text/css; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".svg" => "image/svg+xml",
                _ => "application/octet-stream",
            };
            assets[name] = (body, type, $"\"{Convert.ToHexString(SHA256.HashData(body))[..16]}\"");
        }

        return assets;
    }
}
