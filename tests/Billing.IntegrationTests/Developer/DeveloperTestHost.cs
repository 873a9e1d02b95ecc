using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.Application.Abstractions.Usage;
using Billing.IntegrationTests.Grants;
using Billing.IntegrationTests.Infrastructure;
using Billing.TestFakes.Flash;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.IntegrationTests.Developer;

/// <summary>Records every usage event the relay emits (the production writer lives with the usage feature).</summary>
public sealed class RecordingUsageRecorder : IUsageRecorder
{
    private readonly ConcurrentQueue<UsageEvent> _events = new();

    public IReadOnlyList<UsageEvent> Events => [.. _events];

    public void Record(UsageEvent usage) => _events.Enqueue(usage);
}

/// <summary>
/// The service over a test class's database with a live Flash fake and a second Flash fake as the sandbox (both
/// gateway-signed), and a recording usage recorder. <see cref="StartInstanceAsync"/> adds more instances on the same database.
/// </summary>
public sealed class DeveloperTestHost : IAsyncDisposable
{
    public const string Secret = "gateway-signing-secret-for-tests";

    private readonly List<WebApplicationFactory<Program>> _instances = [];

    private DeveloperTestHost(BillingDatabase database, FlashFake live, FlashFake? sandbox)
    {
        Database = database;
        Live = live;
        Sandbox = sandbox;
    }

    public BillingDatabase Database { get; }

    public FlashFake Live { get; }

    public FlashFake? Sandbox { get; }

    public RecordingUsageRecorder Usage { get; } = new();

    public WebApplicationFactory<Program> App => _instances[0];

    public static async Task<DeveloperTestHost> StartAsync(BillingDatabase database, bool withSandbox = true, IDictionary<string, string?>? extra = null)
    {
        // Live streams last ~3 s, so a test can hold one open while it sends another, even on a loaded machine.
        var live = await FlashFake.StartAsync(new FlashFakeOptions { GatewaySigningSecret = Secret, StreamEventInterval = TimeSpan.FromMilliseconds(300) });
        var sandbox = withSandbox ? await FlashFake.StartAsync(new FlashFakeOptions { GatewaySigningSecret = Secret, StreamEventInterval = TimeSpan.FromMilliseconds(20) }) : null;
        var host = new DeveloperTestHost(database, live, sandbox) { _extra = extra };
        await host.StartInstanceAsync();
        return host;
    }

    private IDictionary<string, string?>? _extra;

    /// <summary>Starts one more service instance on the same database and waits until it LISTENs for key changes.</summary>
    public async Task<WebApplicationFactory<Program>> StartInstanceAsync()
    {
        var settings = GrantTestKit.Settings(Live, Secret, new Dictionary<string, string?> { ["BACKGROUND_WORKERS"] = "false" });
        if (Sandbox is not null)
        {
            settings["FLASH_SANDBOX_URL"] = Sandbox.BaseUrl.ToString();
        }

        foreach (var (key, value) in _extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var factory = new BillingApiFactory(Database.ConnectionString, settings)
            .WithWebHostBuilder(builder => builder.ConfigureTestServices(services => services.AddSingleton<IUsageRecorder>(Usage)));
        _ = factory.Server;
        var listener = factory.Services.GetRequiredService<Billing.Infrastructure.ApiKeys.ApiKeyNotificationListener>();
        await listener.Listening.Task.WaitAsync(TimeSpan.FromSeconds(30));
        _instances.Add(factory);
        return factory;
    }

    /// <summary>A Flash user known to both Flashes (same id), with its own balance on each.</summary>
    public string AddUser(int liveBalance = 100, int sandboxBalance = 100)
    {
        var id = Live.AddUser("ext-" + Guid.NewGuid().ToString("N"), balance: liveBalance);
        Sandbox?.AddUserWithId(id, sandboxBalance);
        return id;
    }

    public HttpClient Service(string userId, WebApplicationFactory<Program>? instance = null)
    {
        var client = (instance ?? App).CreateClient();
        client.DefaultRequestHeaders.Add("X-Service-Key", BillingApiFactory.ServiceKey);
        client.DefaultRequestHeaders.Add("X-User-Id", userId);
        return client;
    }

    public HttpClient Developer(string? key, WebApplicationFactory<Program>? instance = null)
    {
        var client = (instance ?? App).CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    public async Task<JsonElement> CreateKeyAsync(string userId, string mode = "live", string name = "ci")
    {
        var response = await Service(userId).PostAsJsonAsync("/internal/billing/keys", new { name, mode });
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<string> CreateKeyTextAsync(string userId, string mode = "live") =>
        (await CreateKeyAsync(userId, mode)).GetProperty("key").GetString()!;

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        await Live.DisposeAsync();
        if (Sandbox is not null)
        {
            await Sandbox.DisposeAsync();
        }
    }
}
