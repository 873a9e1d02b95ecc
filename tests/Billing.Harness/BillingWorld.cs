using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.TestFakes.Flash;
using Billing.TestFakes.Stripe;
using Npgsql;

namespace Billing.Harness;

public sealed class WorldOptions
{
    /// <summary>An existing PostgreSQL server (admin URL) instead of a throwaway cluster; PostgreSQL restarts then cannot run.</summary>
    public string? ExternalDatabaseUrl { get; init; }

    /// <summary>fsync/synchronous_commit off for the throwaway cluster (tests); the benchmark keeps them on.</summary>
    public bool FastPostgres { get; init; } = true;

    public string DatabaseName { get; init; } = "billing_harness";

    /// <summary>Service environment on top of <see cref="BillingWorld.DefaultEnvironment"/> (null removes a variable).</summary>
    public IReadOnlyDictionary<string, string?> ServiceEnvironment { get; init; } = new Dictionary<string, string?>();

    public string LogDirectory { get; init; } = Path.Combine(Path.GetTempPath(), "billing-harness-logs");

    /// <summary>Default: the service built in the harness's own configuration.</summary>
    public string? ApiDll { get; init; }

    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>A payment prepared for a scenario: an open checkout made through the service, then paid at the Stripe fake.</summary>
public sealed record PaidCheckout(string SessionId, string UserId, int Credits)
{
    public string GrantKey => "stripe:checkout:" + SessionId;
}

/// <summary>
/// Everything on loopback: PostgreSQL (throwaway cluster or given server), the Flash and Stripe fakes in this process, and
/// the service as its own OS process on a fixed port, so it can be killed and started again where clients expect it.
/// </summary>
public sealed class BillingWorld : IAsyncDisposable
{
    public const string ServiceKey = "harness-service-key-0123456789abcdef";
    public const string AdminKey = "harness-admin-key-0123456789abcdef";
    public const string GatewaySecret = "harness-gateway-signing-secret";
    public const string SuccessUrl = "https://app.timepoint.test/billing/success";
    public const string CancelUrl = "https://app.timepoint.test/billing/cancel";

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<BillingWorld, byte> Live = new();

    private readonly WorldOptions _options;
    private readonly string _apiDll;
    private readonly HashSet<string> _flashUsers = new(StringComparer.Ordinal);
    private int _serviceStarts;

    private BillingWorld(WorldOptions options, PgCluster cluster, string databaseUrl, string connectionString, FlashFake flash, StripeFake stripe)
    {
        _options = options;
        _apiDll = options.ApiDll ?? RepoPaths.ApiDll();
        Cluster = cluster;
        DatabaseUrl = databaseUrl;
        ConnectionString = connectionString;
        DataSource = NpgsqlDataSource.Create(connectionString);
        Flash = flash;
        Stripe = stripe;
        ServicePort = Ports.Free();
        ServiceUrl = new Uri($"http://127.0.0.1:{ServicePort.ToString(CultureInfo.InvariantCulture)}/");
        Directory.CreateDirectory(options.LogDirectory);
        LogPath = Path.Combine(options.LogDirectory, $"service-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}.log");
        Internal = LoadGenerator.CreateClient(ServiceUrl, 16);
        Internal.DefaultRequestHeaders.Add("X-Service-Key", ServiceKey);

        // Killed or interrupted harness: do not leave the service or the cluster running behind it.
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        Live[this] = 0;
    }

    public PgCluster Cluster { get; }

    public string DatabaseUrl { get; }

    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource { get; }

    public FlashFake Flash { get; }

    public StripeFake Stripe { get; }

    public ServiceProcess? Service { get; private set; }

    public int ServicePort { get; }

    public Uri ServiceUrl { get; }

    public string LogPath { get; }

    /// <summary>A client carrying the service key (internal routes), up to 16 connections.</summary>
    public HttpClient Internal { get; }

    public static async Task<BillingWorld> StartAsync(WorldOptions? options = null, bool startService = true)
    {
        options ??= new WorldOptions();
        var cluster = options.ExternalDatabaseUrl is { Length: > 0 } url
            ? await PgCluster.ExternalAsync(url)
            : await PgCluster.StartAsync(options.FastPostgres);
        try
        {
            var connectionString = await cluster.CreateDatabaseAsync(options.DatabaseName);
            var flash = await FlashFake.StartAsync(new FlashFakeOptions { GatewaySigningSecret = GatewaySecret });
            var stripe = await StripeFake.StartAsync();
            var world = new BillingWorld(options, cluster, cluster.UrlFor(options.DatabaseName), connectionString, flash, stripe);
            if (startService)
            {
                await world.StartServiceAsync();
            }

            return world;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private void OnProcessExit(object? sender, EventArgs e) => StopNow();

    /// <summary>Every world still running: <see cref="StopNow"/>.</summary>
    public static void StopAll()
    {
        foreach (var world in Live.Keys)
        {
            world.StopNow();
        }
    }

    /// <summary>Kills the service and starts stopping the cluster without waiting: for signal and exit handlers.</summary>
    public void StopNow()
    {
        try
        {
            Service?.Kill();
            Cluster.StopDetached();
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or System.ComponentModel.Win32Exception)
        {
            Console.Error.WriteLine($"harness: cleanup at exit failed: {ex.Message}");
        }
    }

    /// <summary>The environment the service runs with: signed Flash mode (history reconciliation) and short recovery times.</summary>
    public Dictionary<string, string?> DefaultEnvironment() => new()
    {
        ["DATABASE_URL"] = DatabaseUrl,
        ["SERVICE_API_KEY"] = ServiceKey,
        ["BILLING_ADMIN_KEY"] = AdminKey,
        ["MAIN_APP_INTERNAL_URL"] = Flash.BaseUrl.ToString(),
        ["FLASH_SERVICE_KEY"] = Flash.Options.ServiceKey,
        ["FLASH_ADMIN_KEY"] = Flash.Options.AdminKey,
        ["FLASH_GATEWAY_SIGNING_SECRET"] = GatewaySecret,
        ["FLASH_TIMEOUT_SECONDS"] = "1",
        ["FLASH_CIRCUIT_BREAK_SECONDS"] = "1",
        ["STRIPE_SECRET_KEY"] = Stripe.SecretKey,
        ["STRIPE_WEBHOOK_SECRET"] = Stripe.WebhookSecret,
        ["STRIPE_API_BASE"] = Stripe.BaseUrl.ToString(),
        ["STRIPE_TIMEOUT_SECONDS"] = "5",
        ["SUCCESS_URL"] = SuccessUrl,
        ["CANCEL_URL"] = CancelUrl,
        ["GRANT_LEASE_SECONDS"] = "3",
        ["GRANT_AMBIGUOUS_SETTLE_MS"] = "500",
        ["GRANT_RETRY_BASE_MS"] = "50",
        ["GRANT_RETRY_MAX_SECONDS"] = "1",
        ["GRANT_POLL_INTERVAL_MS"] = "200",
        ["INBOX_POLL_INTERVAL_MS"] = "200",
        ["LOG_LEVEL"] = "Warning",
        ["LOG_FORMAT"] = "text",
    };

    public Dictionary<string, string?> ServiceEnvironment()
    {
        var environment = DefaultEnvironment();
        foreach (var (key, value) in _options.ServiceEnvironment)
        {
            environment[key] = value;
        }

        return environment;
    }

    /// <summary>Starts the service process (a new one if it was killed) and waits for /health/ready; returns the start-up time.</summary>
    public async Task<TimeSpan> StartServiceAsync(IReadOnlyDictionary<string, string?>? extra = null)
    {
        if (Service is { HasExited: false })
        {
            throw new InvalidOperationException("the service is already running");
        }

        Service?.Dispose();
        var environment = ServiceEnvironment();
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            environment[key] = value;
        }

        _serviceStarts++;
        await File.AppendAllTextAsync(LogPath, $"---- service start #{_serviceStarts} at {DateTime.UtcNow:O}{Environment.NewLine}");
        Service = ServiceProcess.Start(_apiDll, ServicePort, environment, LogPath);
        return await Service.WaitReadyAsync(_options.ReadyTimeout);
    }

    /// <summary>SIGKILL.</summary>
    public void KillService() => Service?.Kill();

    /// <summary>Stops the service gracefully and starts it again with <paramref name="extra"/> on top of its environment (none: the
    /// world's own). For scenarios that need other settings; they restart it with none when done.</summary>
    public async Task<TimeSpan> RestartServiceAsync(IReadOnlyDictionary<string, string?>? extra = null)
    {
        await StopServiceAsync();
        return await StartServiceAsync(extra);
    }

    /// <summary>Another service process on the same database (its own port and log), for scenarios with several instances. The
    /// caller disposes it (SIGKILL) or stops it with <see cref="ServiceProcess.StopAsync"/>.</summary>
    public async Task<ServiceProcess> StartExtraServiceAsync(IReadOnlyDictionary<string, string?>? extra = null)
    {
        var environment = ServiceEnvironment();
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            environment[key] = value;
        }

        var logPath = Path.ChangeExtension(LogPath, $".extra-{Guid.NewGuid().ToString("N")[..6]}.log");
        var service = ServiceProcess.Start(_apiDll, Ports.Free(), environment, logPath);
        try
        {
            await service.WaitReadyAsync(_options.ReadyTimeout);
            return service;
        }
        catch
        {
            service.Dispose();
            throw;
        }
    }

    public async Task StopServiceAsync()
    {
        if (Service is not null)
        {
            await Service.StopAsync(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>Makes sure the Flash fake knows the user (grants to unknown users are refused, as Flash does).</summary>
    public void EnsureFlashUser(string userId)
    {
        lock (_flashUsers)
        {
            if (_flashUsers.Add(userId))
            {
                Flash.AddUserWithId(userId);
            }
        }
    }

    /// <summary>
    /// <paramref name="count"/> credit-pack payments spread over <paramref name="users"/> users: each an open checkout made through
    /// <c>POST /internal/billing/stripe/checkout</c> (pending purchase) and then marked paid at the Stripe fake.
    /// </summary>
    public async Task<List<PaidCheckout>> CreatePaidCheckoutsAsync(string prefix, int count, int users, int concurrency = 8)
    {
        var userIds = Enumerable.Range(0, users).Select(i => $"{prefix}-user-{i.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid().ToString("N")[..8]}").ToList();
        userIds.ForEach(EnsureFlashUser);
        var packs = new (string Product, int Credits)[]
        {
            ("com.timepoint.flash.credits.10", 10),
            ("com.timepoint.flash.credits.50", 50),
            ("com.timepoint.flash.credits.150", 150),
            ("com.timepoint.flash.credits.500", 500),
        };
        var result = new PaidCheckout[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, ct) =>
        {
            var user = userIds[i % users];
            var pack = packs[i % packs.Length];
            using var request = new HttpRequestMessage(HttpMethod.Post, "internal/billing/stripe/checkout")
            {
                Content = JsonContent.Create(new Dictionary<string, string> { ["product_id"] = pack.Product }),
            };
            request.Headers.Add("X-User-Id", user);
            request.Headers.Add("Idempotency-Key", $"{prefix}-{i.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}");
            using var response = await Internal.SendAsync(request, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"checkout answered {(int)response.StatusCode}: {body}");
            }

            using var json = JsonDocument.Parse(body);
            var sessionId = json.RootElement.GetProperty("session_id").GetString()!;
            Stripe.MarkSessionPaid(sessionId);
            result[i] = new PaidCheckout(sessionId, user, pack.Credits);
        });
        return [.. result];
    }

    /// <summary>The signed <c>checkout.session.completed</c> Stripe would send for a paid checkout (fresh event id).</summary>
    public byte[] CheckoutCompletedEvent(PaidCheckout checkout, string? eventId = null) =>
        Stripe.BuildEventForObject("checkout.session.completed", checkout.SessionId, eventId);

    public string Sign(byte[] payload, DateTimeOffset? timestamp = null) => Stripe.SignatureHeader(payload, timestamp);

    public static HttpRequestMessage WebhookRequest(byte[] payload, string? signature, string contentType = "application/json")
    {
        var content = new ByteArrayContent(payload);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        var request = new HttpRequestMessage(HttpMethod.Post, "webhooks/stripe") { Content = content };
        if (signature is not null)
        {
            request.Headers.TryAddWithoutValidation("Stripe-Signature", signature);
        }

        return request;
    }

    /// <summary>Posts a webhook; returns the status code, or 0 when no answer came (refused, reset, timeout).</summary>
    public static async Task<int> PostWebhookAsync(HttpClient client, byte[] payload, string? signature, CancellationToken cancellationToken = default)
    {
        try
        {
            using var request = WebhookRequest(payload, signature);
            using var response = await client.SendAsync(request, cancellationToken);
            return (int)response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return 0;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
    }

    /// <summary>A scalar query from the harness's own pool (retried once over fresh connections after a PostgreSQL restart).</summary>
    public async Task<long> ScalarAsync(string sql, object? parameter = null) =>
        Convert.ToInt64(await WithRetry(async () =>
        {
            await using var command = Command(sql, parameter);
            return await command.ExecuteScalarAsync();
        }), CultureInfo.InvariantCulture);

    public async Task ExecuteAsync(string sql, object? parameter = null) =>
        await WithRetry(async () =>
        {
            await using var command = Command(sql, parameter);
            return await command.ExecuteNonQueryAsync();
        });

    private NpgsqlCommand Command(string sql, object? parameter)
    {
        var command = DataSource.CreateCommand(sql);
        if (parameter is not null)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return command;
    }

    private async Task<T> WithRetry<T>(Func<Task<T>> query)
    {
        try
        {
            return await query();
        }
        catch (NpgsqlException ex) when (ex.IsTransient || ex is PostgresException { SqlState: "57P01" or "57P03" })
        {
            DataSource.Clear();
            await Task.Delay(500);
            return await query();
        }
    }

    /// <summary>Waits until the inbox has no event left to process (received); false on timeout.</summary>
    public async Task<bool> WaitInboxDrainedAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await ScalarAsync("SELECT count(*) FROM inbox_events WHERE status = 'received'") == 0)
                {
                    return true;
                }
            }
            catch (NpgsqlException)
            {
            }

            await Task.Delay(100);
        }

        return false;
    }

    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        Live.TryRemove(this, out _);
        Service?.Dispose();
        Internal.Dispose();
        await DataSource.DisposeAsync();
        await Flash.DisposeAsync();
        await Stripe.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await Cluster.DisposeAsync();
    }
}
