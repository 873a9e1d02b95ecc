using System.Text.Json;
using Billing.Application.Abstractions.Flash;
using Billing.TestFakes.Flash;
using static Billing.Infrastructure.Tests.Flash.FlashTestSupport;

namespace Billing.Infrastructure.Tests.Flash;

public sealed class FlashReadTests
{
    [Fact]
    public async Task Reads_are_retried_on_503_then_succeed()
    {
        await using var fake = await FlashFake.StartAsync();
        fake.Faults.FailNext(503, count: 2, pathPrefix: FlashFake.CostsPath);
        using var flash = new TestFlashClient(Options(fake));

        var costs = await flash.Client.GetCostsAsync(CancellationToken.None);

        Assert.Equal(18, costs.Count);
        Assert.Equal(3, fake.RequestCount(FlashFake.CostsPath));
    }

    [Fact]
    public async Task Reads_give_up_as_unavailable_after_the_retries()
    {
        await using var fake = await FlashFake.StartAsync();
        fake.Faults.FailNext(502, count: 10, pathPrefix: FlashFake.CostsPath);
        using var flash = new TestFlashClient(Options(fake));

        var exception = await Assert.ThrowsAsync<FlashUnavailableException>(() => flash.Client.GetCostsAsync(CancellationToken.None));

        Assert.Equal(502, exception.StatusCode);
        Assert.True(exception.IsTransient);
        Assert.Equal(3, fake.RequestCount(FlashFake.CostsPath));
    }

    [Fact]
    public async Task Read_timeouts_are_unavailable()
    {
        await using var fake = await FlashFake.StartAsync();
        fake.Faults.Delay = TimeSpan.FromSeconds(3);
        using var flash = new TestFlashClient(Options(fake, attemptTimeout: TimeSpan.FromMilliseconds(600)));

        await Assert.ThrowsAsync<FlashUnavailableException>(() => flash.Client.GetCostsAsync(CancellationToken.None));
        await EventuallyAsync(() => fake.RequestCount(FlashFake.CostsPath) == 3);
    }

    [Fact]
    public async Task Definitive_errors_are_not_retried()
    {
        await using var fake = await FlashFake.StartAsync();
        using var flash = new TestFlashClient(Options(fake, serviceKey: "wrong"));

        var exception = await Assert.ThrowsAsync<FlashRequestException>(() => flash.Client.ResolveUserAsync("ext-1", null, null, CancellationToken.None));

        Assert.Equal(403, exception.StatusCode);
        Assert.False(exception.IsTransient);
        Assert.Equal(1, fake.RequestCount(FlashFake.ResolvePath));
    }

    [Fact]
    public async Task Costs_are_an_open_map()
    {
        var costs = new Dictionary<string, int>(StringComparer.Ordinal) { ["generate_balanced"] = 5, ["falcon_run"] = 10, ["brand_new_thing"] = 3 };
        await using var fake = await FlashFake.StartAsync(new FlashFakeOptions { Costs = costs });
        using var flash = new TestFlashClient(Options(fake));

        var answer = await flash.Client.GetCostsAsync(CancellationToken.None);

        Assert.Equal(3, answer.Count);
        Assert.Equal(10, answer["falcon_run"].GetInt32());
        Assert.Equal(JsonValueKind.Number, answer["brand_new_thing"].ValueKind);
    }

    [Fact]
    public async Task Resolve_finds_or_creates_by_external_id()
    {
        await using var fake = await FlashFake.StartAsync();
        using var flash = new TestFlashClient(Options(fake));

        var first = await flash.Client.ResolveUserAsync("apple:123", "a@example.com", "Ann", CancellationToken.None);
        var second = await flash.Client.ResolveUserAsync("apple:123", null, null, CancellationToken.None);

        Assert.True(first.Created);
        Assert.False(second.Created);
        Assert.Equal(first.UserId, second.UserId);
        Assert.Equal(50, fake.BalanceOf(first.UserId));
        Assert.All(fake.Requests, request => Assert.Equal("fake-service-key", request.Header("X-Service-Key")));
    }

    [Fact]
    public async Task Resolve_with_no_service_key_on_flash_is_unavailable_503()
    {
        await using var fake = await FlashFake.StartAsync(new FlashFakeOptions { ServiceKey = null });
        using var flash = new TestFlashClient(Options(fake, serviceKey: "anything"));

        var exception = await Assert.ThrowsAsync<FlashUnavailableException>(() => flash.Client.ResolveUserAsync("x", null, null, CancellationToken.None));

        Assert.Equal("FLASH_SERVICE_KEY not configured", exception.Error?.Error);
    }

    [Fact]
    public async Task Generate_sync_returns_flash_json_charges_once_and_is_not_retried()
    {
        await using var fake = await FlashFake.StartAsync(SignedFake());
        var userId = fake.AddUser("ext-1", balance: 20);
        using var flash = new TestFlashClient(Options(fake, signed: true));
        using var body = JsonDocument.Parse("""{"query":"Rome, 44 BC","request_context":{"k":1}}""");

        var result = await flash.Relay.GenerateSyncAsync(userId, body.RootElement, CancellationToken.None);

        Assert.Equal("completed", result.GetProperty("status").GetString());
        Assert.Equal(1, result.GetProperty("request_context").GetProperty("k").GetInt32());
        Assert.Equal(15, fake.BalanceOf(userId));

        fake.Faults.FailNext(500, count: 3, pathPrefix: FlashFake.GenerateSyncPath);
        await Assert.ThrowsAsync<FlashUnavailableException>(() => flash.Relay.GenerateSyncAsync(userId, body.RootElement, CancellationToken.None));
        Assert.Equal(2, fake.RequestCount(FlashFake.GenerateSyncPath));
    }

    [Fact]
    public async Task Generate_sync_validation_error_is_a_request_exception_with_issues()
    {
        await using var fake = await FlashFake.StartAsync(SignedFake());
        var userId = fake.AddUser("ext-1");
        using var flash = new TestFlashClient(Options(fake, signed: true));
        using var body = JsonDocument.Parse("""{"query":"ab"}""");

        var exception = await Assert.ThrowsAsync<FlashRequestException>(() => flash.Relay.GenerateSyncAsync(userId, body.RootElement, CancellationToken.None));

        Assert.Equal(422, exception.StatusCode);
        var issue = Assert.Single(exception.Error.ValidationIssues);
        Assert.Equal("body.query", issue.Location);
    }
}
