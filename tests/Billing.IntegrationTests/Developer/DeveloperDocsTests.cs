using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Billing.IntegrationTests.Infrastructure;

namespace Billing.IntegrationTests.Developer;

public sealed partial class DeveloperDocsTests(BillingDatabase database) : IClassFixture<BillingDatabase>, IAsyncLifetime
{
    private BillingApiFactory _factory = null!;

    public Task InitializeAsync()
    {
        _factory = new BillingApiFactory(database.ConnectionString, new Dictionary<string, string?> { ["BACKGROUND_WORKERS"] = "false" });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [GeneratedRegex(@"(?:src|href)\s*=\s*[""']([^""']+)[""']", RegexOptions.IgnoreCase)]
    private static partial Regex AssetReference();

    [GeneratedRegex(@"(?:https?:)?//[a-z0-9.-]+", RegexOptions.IgnoreCase)]
    private static partial Regex AbsoluteUrl();

    [Fact]
    public async Task TheDocsPage_RendersTheOpenApiDocument_WithEveryAssetServedHere()
    {
        using var client = _factory.CreateClient();
        var response = await client.GetAsync(new Uri("/docs/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        // Scalar resolves the document URL against the site's base path: /openapi/v1.json, served here.
        Assert.Contains("\"url\":\"openapi/v1.json\"", html, StringComparison.Ordinal);
        Assert.Contains("\"withDefaultFonts\":false", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative))).StatusCode);

        // No absolute URL at all in the page (scripts, styles, fonts, the document): nothing is fetched from another host.
        var external = AbsoluteUrl().Matches(html).Select(m => m.Value).ToList();
        Assert.True(external.Count == 0, "external references: " + string.Join(", ", external));
        var assets = AssetReference().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(assets);
        foreach (var asset in assets)
        {
            var assetResponse = await client.GetAsync(new Uri(new Uri("http://localhost/docs/"), asset));
            Assert.Equal(HttpStatusCode.OK, assetResponse.StatusCode);
        }
    }

    [Fact]
    public async Task TheOpenApiDocument_ShowsTheV1Routes_WithTheBearerScheme_ErrorCodesAndHeaders()
    {
        using var client = _factory.CreateClient();
        var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json")).RootElement;
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());

        var paths = document.GetProperty("paths");
        foreach (var (path, method) in new[] { ("/v1/timepoints/generate/sync", "post"), ("/v1/timepoints/generate/stream", "post"), ("/v1/credits/balance", "get") })
        {
            var operation = paths.GetProperty(path).GetProperty(method);
            Assert.True(operation.GetProperty("security")[0].TryGetProperty("ApiKey", out _), path);
            var responses = operation.GetProperty("responses");
            foreach (var status in new[] { "401", "402", "429", "503" })
            {
                Assert.True(responses.TryGetProperty(status, out _), $"{path} {status}");
            }

            Assert.Contains("key.malformed", responses.GetProperty("401").GetProperty("description").GetString(), StringComparison.Ordinal);
            Assert.Contains("rate_limit.exceeded", responses.GetProperty("429").GetProperty("description").GetString(), StringComparison.Ordinal);
            var headers = responses.GetProperty("200").GetProperty("headers");
            Assert.True(headers.TryGetProperty("RateLimit-Policy", out _));
            Assert.True(headers.TryGetProperty("RateLimit", out _));
            Assert.True(responses.GetProperty("429").GetProperty("headers").TryGetProperty("Retry-After", out _));
        }

        var sync = paths.GetProperty("/v1/timepoints/generate/sync").GetProperty("post");
        Assert.Contains(sync.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "Idempotency-Key");
        Assert.Contains("streams", paths.GetProperty("/v1/timepoints/generate/stream").GetProperty("post").GetProperty("responses").GetProperty("200").GetProperty("headers").GetProperty("RateLimit-Policy").GetProperty("description").GetString(), StringComparison.Ordinal);

        // The internal key routes are documented too.
        Assert.True(paths.TryGetProperty("/internal/billing/keys", out _));
        Assert.True(paths.TryGetProperty("/internal/billing/keys/verify", out _));
    }
}
