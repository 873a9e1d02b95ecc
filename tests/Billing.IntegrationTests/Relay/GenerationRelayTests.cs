using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Billing.IntegrationTests.Grants;
using Billing.IntegrationTests.Infrastructure;
using Billing.TestFakes.Flash;

namespace Billing.IntegrationTests.Relay;

public sealed class GenerationRelayTests(BillingDatabase database) : IClassFixture<BillingDatabase>, IAsyncLifetime
{
    private const string Secret = "gateway-signing-secret-for-tests";
    private FlashFake _flash = null!;
    private BillingApiFactory _factory = null!;

    public async Task InitializeAsync()
    {
        _flash = await FlashFake.StartAsync(new FlashFakeOptions { GatewaySigningSecret = Secret, StreamEventInterval = TimeSpan.FromMilliseconds(100) });
        _factory = new BillingApiFactory(database.ConnectionString, GrantTestKit.Settings(_flash, Secret, new Dictionary<string, string?> { ["BACKGROUND_WORKERS"] = "false" }));
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _flash.DisposeAsync();
    }

    [Fact]
    public async Task Stream_RelaysTheFirstEventBeforeFlashHasFinished_AndTheWholeStreamAfter()
    {
        var user = _flash.AddUser("ext-" + Guid.NewGuid().ToString("N"), balance: 20);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/internal/billing/timepoints/generate/stream")
        {
            Content = JsonContent.Create(new { query = "the fall of Constantinople" }),
        };
        request.Headers.Add("X-Service-Key", BillingApiFactory.ServiceKey);
        request.Headers.Add("X-User-Id", user);

        using var response = await _factory.CreateClient().SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var first = await reader.ReadLineAsync();

        Assert.StartsWith("data: {\"event\":\"start\"", first, StringComparison.Ordinal);
        Assert.Equal(0, _flash.StreamsCompleted); // the relay is not buffering: Flash is still generating
        var rest = await reader.ReadToEndAsync();
        Assert.Contains("\"event\":\"done\"", rest, StringComparison.Ordinal);
        Assert.Equal(1, _flash.StreamsCompleted);
    }

    [Fact]
    public async Task Stream_WhenTheCallerGoesAway_IsCancelledUpstream()
    {
        var user = _flash.AddUser("ext-" + Guid.NewGuid().ToString("N"), balance: 20);
        var aborted = _flash.StreamsAborted;
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/internal/billing/timepoints/generate/stream") { Content = JsonContent.Create(new { query = "the moon landing" }) })
        {
            request.Headers.Add("X-Service-Key", BillingApiFactory.ServiceKey);
            request.Headers.Add("X-User-Id", user);
            using var response = await _factory.CreateClient().SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            await reader.ReadLineAsync();
        }

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (_flash.StreamsAborted == aborted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(_flash.StreamsAborted > aborted, "leaving the relay should abort the upstream stream");
    }

    [Fact]
    public async Task Sync_RelaysFlashsAnswer()
    {
        var user = _flash.AddUser("ext-" + Guid.NewGuid().ToString("N"), balance: 20);
        var response = await _factory.CreateServiceClient(user).PostAsJsonAsync("/internal/billing/timepoints/generate/sync", new { query = "the first printing press" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(JsonValueKind.Object, body.ValueKind);
    }

    [Fact]
    public async Task Sync_ForAUserFlashDoesNotKnow_PassesFlashs404Through()
    {
        var response = await _factory.CreateServiceClient(Guid.NewGuid().ToString()).PostAsJsonAsync("/internal/billing/timepoints/generate/sync", new { query = "the first printing press" });
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Sync_WithFlashDown_Answers503()
    {
        var user = _flash.AddUser("ext-" + Guid.NewGuid().ToString("N"), balance: 20);
        await _flash.StopListeningAsync();
        try
        {
            var response = await _factory.CreateServiceClient(user).PostAsJsonAsync("/internal/billing/timepoints/generate/sync", new { query = "the first printing press" });
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }
        finally
        {
            await _flash.StartListeningAsync();
        }
    }

    [Fact]
    public async Task MalformedJson_Answers400_NotA500()
    {
        using var content = new StringContent("{\"query\": \"unterminated", Encoding.UTF8, "application/json");
        var response = await _factory.CreateServiceClient("someone").PostAsync(new Uri("/internal/billing/timepoints/generate/sync", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task OversizedBody_Answers413_NotA500()
    {
        using var content = new StringContent("{\"query\": \"" + new string('x', 400 * 1024) + "\"}", Encoding.UTF8, "application/json");
        var response = await _factory.CreateServiceClient("someone").PostAsync(new Uri("/internal/billing/timepoints/generate/sync", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }
}
