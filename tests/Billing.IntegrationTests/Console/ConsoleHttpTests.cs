using System.Net;
using System.Text.RegularExpressions;
using Billing.Application.Audit;
using Billing.Application.Operators.AddOperator;
using Billing.IntegrationTests.Infrastructure;
using MediatR;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.IntegrationTests.Console;

/// <summary>The console's session and headers at the HTTP level (the browser suite covers the pages).</summary>
public sealed partial class ConsoleHttpTests(BillingDatabase database) : IClassFixture<BillingDatabase>
{
    private const string Password = "http test password";

    [Theory]
    [InlineData("https://localhost", true)]
    [InlineData("http://localhost", false)]
    public async Task TheSessionCookie_IsHttpOnlyStrictEightHours_AndSecureOverHttps(string origin, bool secure)
    {
        using var factory = new BillingApiFactory(database.ConnectionString, new Dictionary<string, string?> { ["BACKGROUND_WORKERS"] = "false" });
        var email = $"http-{Guid.NewGuid():N}@example.com";
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new AddOperatorCommand(email, "viewer", Password, new AuditContext("cli:test", "test")));
        }

        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri(origin), AllowAutoRedirect = false, HandleCookies = true });
        var form = await client.GetAsync(new Uri("/admin/sign-in", UriKind.Relative));
        var token = AntiforgeryField().Match(await form.Content.ReadAsStringAsync()).Groups[1].Value;
        Assert.NotEmpty(token);

        var before = DateTimeOffset.UtcNow;
        var signIn = await client.PostAsync(new Uri("/admin/sign-in", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string> { ["__af"] = token, ["email"] = email, ["password"] = Password }));
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("billing_console=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/admin", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(secure, cookie.Contains("secure", StringComparison.OrdinalIgnoreCase));
        var expires = DateTimeOffset.Parse(Regex.Match(cookie, "expires=([^;]+)", RegexOptions.IgnoreCase).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expires, before.AddHours(8).AddMinutes(-1), before.AddHours(8).AddMinutes(1));

        var overview = await client.GetAsync(new Uri("/admin", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, overview.StatusCode);
        var csp = overview.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", overview.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", overview.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("no-store", overview.Headers.CacheControl?.ToString());
        var html = await overview.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("style=\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("//cdn", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task PagesNeedASession_AndAssetsAreServedByTheServiceItself()
    {
        using var factory = new BillingApiFactory(database.ConnectionString, new Dictionary<string, string?> { ["BACKGROUND_WORKERS"] = "false" });
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        foreach (var path in new[] { "/admin", "/admin/grants", "/admin/events", "/admin/audit", "/admin/operators", "/admin/users/u1", "/admin/search?q=x" })
        {
            var response = await client.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("http://localhost/admin/sign-in", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        }

        var css = await client.GetAsync(new Uri("/admin/assets/console.css", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(new Uri("/admin/assets/nope.js", UriKind.Relative))).StatusCode);

        // The internal JSON routes are untouched by the console's authentication.
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync(new Uri("/internal/billing/products", UriKind.Relative))).StatusCode);
    }

    [GeneratedRegex("name=\"__af\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
