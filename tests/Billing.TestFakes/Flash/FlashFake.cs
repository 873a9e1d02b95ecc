using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Billing.TestFakes.Flash;

/// <summary>
/// A fake TIMEPOINT Flash served by a real Kestrel on 127.0.0.1 (random port), implementing the routes billing calls with
/// Flash's status codes, error envelopes and edge-middleware rules (docs/reference/flash-contract.md). The gateway signature is
/// checked exactly as Flash checks it. <c>/internal/credits/*</c> (really the Gateway's API) is served on the same host for
/// convenience, behind its own <c>X-Service-Key</c> check and without Flash's edge middleware.
/// Fault injection: <see cref="Faults"/>; real connection refusal: <see cref="StopListeningAsync"/> / <see cref="StartListeningAsync"/>
/// (stops Kestrel and later rebinds the same port; state is kept).
/// </summary>
public sealed class FlashFake : IAsyncDisposable
{
    public const string ResolvePath = "/api/v1/users/resolve";
    public const string AdminGrantPath = "/api/v1/credits/admin/grant";
    public const string BalancePath = "/api/v1/credits/balance";
    public const string CostsPath = "/api/v1/credits/costs";
    public const string HistoryPath = "/api/v1/credits/history";
    public const string GenerateSyncPath = "/api/v1/timepoints/generate/sync";
    public const string GenerateStreamPath = "/api/v1/timepoints/generate/stream";
    public const string CreditsGrantPath = "/internal/credits/grant";
    public const string CreditsSpendPath = "/internal/credits/spend";
    public const string CreditsCheckPath = "/internal/credits/check";

    private const int MaxClockSkewSeconds = 300;
    private const int GenerationPrecheckCost = 5;
    private const string BodyItemKey = "flash-fake-body";

    private static readonly HashSet<string> OpenPaths = new(StringComparer.Ordinal) { "/health", "/health/deep", "/", "/docs", "/redoc", "/openapi.json" };

    private static readonly HashSet<string> KnownTransactionTypes = new(StringComparer.Ordinal)
    {
        "signup_bonus", "generation", "chat", "temporal", "admin_grant", "apple_iap", "stripe_purchase", "subscription_grant", "refund",
    };

    private static readonly Dictionary<string, string> RouteMethods = new(StringComparer.Ordinal)
    {
        [ResolvePath] = "POST",
        [AdminGrantPath] = "POST",
        [BalancePath] = "GET",
        [CostsPath] = "GET",
        [HistoryPath] = "GET",
        [GenerateSyncPath] = "POST",
        [GenerateStreamPath] = "POST",
        [CreditsGrantPath] = "POST",
        [CreditsSpendPath] = "POST",
        [CreditsCheckPath] = "POST",
        ["/health"] = "GET",
    };

    private readonly FlashFakeOptions _options;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, FakeUser> _usersById = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeUser> _usersByExternalId = new(StringComparer.Ordinal);
    private readonly List<RecordedGrant> _grants = [];
    private readonly List<RecordedRequest> _requests = [];
    private readonly CancellationTokenSource _lifetime = new();
    private readonly SemaphoreSlim _hostGate = new(1, 1);
    private WebApplication? _app;
    private int _port;
    private int _streamsStarted;
    private int _streamsCompleted;
    private int _streamsAborted;
    private int _transactionCounter;

    private FlashFake(FlashFakeOptions options)
    {
        _options = options;
    }

    public Uri BaseUrl => new($"http://127.0.0.1:{_port.ToString(CultureInfo.InvariantCulture)}/");

    public FlashFakeFaults Faults { get; } = new();

    public FlashFakeOptions Options => _options;

    /// <summary>Admin grants the fake applied, in order.</summary>
    public IReadOnlyList<RecordedGrant> Grants
    {
        get { lock (_gate) { return [.. _grants]; } }
    }

    /// <summary>Every request received, including ones failed or dropped by fault injection.</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get { lock (_gate) { return [.. _requests]; } }
    }

    public int StreamsStarted => Volatile.Read(ref _streamsStarted);

    public int StreamsCompleted => Volatile.Read(ref _streamsCompleted);

    /// <summary>Streams that stopped because the client went away (RequestAborted) before <c>done</c>.</summary>
    public int StreamsAborted => Volatile.Read(ref _streamsAborted);

    public static async Task<FlashFake> StartAsync(FlashFakeOptions? options = null)
    {
        var fake = new FlashFake(options ?? new FlashFakeOptions());
        await fake.StartListeningAsync();
        return fake;
    }

    public int RequestCount(string path)
    {
        lock (_gate)
        {
            return _requests.Count(request => request.Path == path);
        }
    }

    public int TotalGranted(string userId)
    {
        lock (_gate)
        {
            return _grants.Where(grant => grant.UserId == userId).Sum(grant => grant.Amount);
        }
    }

    public int GrantCountWithDescription(string descriptionContains)
    {
        lock (_gate)
        {
            return _grants.Count(grant => grant.Description?.Contains(descriptionContains, StringComparison.Ordinal) == true);
        }
    }

    /// <summary>Creates a user directly (as /users/resolve would) and returns its Flash id.</summary>
    public string AddUser(string externalId, int? balance = null, bool withCreditAccount = true)
    {
        lock (_gate)
        {
            return FindOrCreateUser(externalId, null, null, balance, withCreditAccount).User.Id;
        }
    }

    /// <summary>Adds a user with a given Flash id (as billing already knows it), e.g. to repair a 404 before a requeue.</summary>
    public string AddUserWithId(string userId, int balance = 0)
    {
        lock (_gate)
        {
            var user = new FakeUser(userId, "external:" + userId, null, null) { HasAccount = true, Balance = balance, LifetimeEarned = balance };
            _usersById[user.Id] = user;
            _usersByExternalId[user.ExternalId] = user;
            return user.Id;
        }
    }

    public int? BalanceOf(string userId)
    {
        lock (_gate)
        {
            return _usersById.TryGetValue(userId, out var user) && user.HasAccount ? user.Balance : null;
        }
    }

    public IReadOnlyList<FakeLedgerEntry> LedgerOf(string userId)
    {
        lock (_gate)
        {
            return _usersById.TryGetValue(userId, out var user) ? [.. user.Ledger] : [];
        }
    }

    /// <summary>Stops Kestrel: connections to <see cref="BaseUrl"/> are refused until <see cref="StartListeningAsync"/>.</summary>
    public async Task StopListeningAsync()
    {
        await _hostGate.WaitAsync();
        try
        {
            if (_app is not null)
            {
                await _app.StopAsync();
                await _app.DisposeAsync();
                _app = null;
            }
        }
        finally
        {
            _hostGate.Release();
        }
    }

    /// <summary>Starts Kestrel on the same port as before (a random free port the first time).</summary>
    public async Task StartListeningAsync()
    {
        await _hostGate.WaitAsync();
        try
        {
            if (_app is not null)
            {
                return;
            }

            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(2));
            var port = _port;
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
            var app = builder.Build();
            app.Run(HandleAsync);
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            _port = new Uri(address).Port;
            _app = app;
        }
        finally
        {
            _hostGate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _lifetime.CancelAsync();
        await StopListeningAsync();
        _lifetime.Dispose();
        _hostGate.Dispose();
    }

    /// <summary>Computes Flash's v1 signature for a canonical request; lets tests forge or tamper with signatures.</summary>
    public static string ComputeSignature(string secret, string method, string path, string? userId, string timestamp)
    {
        var canonical = string.Join('\n', "v1", method.ToUpperInvariant(), path, userId ?? string.Empty, timestamp);
        return "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(canonical)));
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        Record(request, path);

        // Read the whole body up front, so a delayed request is still handled after the client gave up (a slow commit).
        var bodyBuffer = new MemoryStream();
        await request.Body.CopyToAsync(bodyBuffer, context.RequestAborted);
        context.Items[BodyItemKey] = bodyBuffer.ToArray();

        // Faults first: they stand for the infrastructure in front of Flash.
        if (Faults.Down)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("upstream unavailable");
            return;
        }

        var wait = Faults.Delay + Faults.Latency;
        if (wait > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(wait, _lifetime.Token);
            }
            catch (OperationCanceledException)
            {
                context.Abort();
                return;
            }
        }

        if (Faults.TryTakeFailure(path, out var injectedStatus))
        {
            await WriteRouteErrorAsync(context, injectedStatus, "Injected failure");
            return;
        }

        if (!RouteMethods.TryGetValue(path, out var method))
        {
            await WriteJsonAsync(context, StatusCodes.Status404NotFound, new JsonObject { ["detail"] = "Not Found" });
            return;
        }

        if (!string.Equals(request.Method, method, StringComparison.OrdinalIgnoreCase))
        {
            await WriteJsonAsync(context, StatusCodes.Status405MethodNotAllowed, new JsonObject { ["detail"] = "Method Not Allowed" });
            return;
        }

        if (path == "/health")
        {
            await WriteJsonAsync(context, StatusCodes.Status200OK, new JsonObject { ["status"] = "healthy" });
            return;
        }

        if (path.StartsWith("/internal/credits/", StringComparison.Ordinal))
        {
            await HandleCreditsApiAsync(context, path);
            return;
        }

        var edge = CheckEdge(context, path);
        if (edge.RejectMessage is not null)
        {
            // The middleware's 403 body has only an "error" key.
            await WriteJsonAsync(context, StatusCodes.Status403Forbidden, new JsonObject { ["error"] = edge.RejectMessage });
            return;
        }

        switch (path)
        {
            case ResolvePath:
                await HandleResolveAsync(context);
                break;
            case AdminGrantPath:
                await HandleAdminGrantAsync(context);
                break;
            case BalancePath:
                await HandleBalanceAsync(context, edge);
                break;
            case CostsPath:
                var costs = new JsonObject();
                foreach (var (key, value) in _options.Costs)
                {
                    costs[key] = value;
                }

                await WriteJsonAsync(context, StatusCodes.Status200OK, new JsonObject { ["costs"] = costs });
                break;
            case HistoryPath:
                await HandleHistoryAsync(context, edge);
                break;
            case GenerateSyncPath:
                await HandleGenerateAsync(context, edge, stream: false);
                break;
            case GenerateStreamPath:
                await HandleGenerateAsync(context, edge, stream: true);
                break;
        }
    }

    private void Record(HttpRequest request, string path)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in request.Headers)
        {
            headers[name] = values.ToString();
        }

        lock (_gate)
        {
            _requests.Add(new RecordedRequest(request.Method, path, request.QueryString.Value ?? string.Empty, headers));
        }
    }

    // ---- Edge middleware (GatewayAuthMiddleware, contract §1.1) and user identity (§1.5) ----

    private EdgeResult CheckEdge(HttpContext context, string path)
    {
        var serviceKey = _options.ServiceKey;
        var secret = _options.GatewaySigningSecret;
        if (OpenPaths.Contains(path) || (string.IsNullOrEmpty(serviceKey) && string.IsNullOrEmpty(secret)))
        {
            return new EdgeResult(null, Verified: false, LegacyServiceKeyPassed: false);
        }

        var headers = context.Request.Headers;
        var signature = headers["X-Gateway-Signature"].ToString();
        var timestamp = headers["X-Gateway-Timestamp"].ToString();
        if (signature.Length > 0 && timestamp.Length > 0 && !string.IsNullOrEmpty(secret))
        {
            var valid = VerifySignature(secret, context.Request.Method, path, headers["X-User-Id"].ToString(), timestamp, signature);
            return valid ? new EdgeResult(null, Verified: true, LegacyServiceKeyPassed: false) : new EdgeResult("Invalid gateway signature", false, false);
        }

        if (!string.IsNullOrEmpty(serviceKey))
        {
            if (_options.RequireSignedGateway)
            {
                return new EdgeResult("Gateway signature required", false, false);
            }

            if (SecretEquals(headers["X-Service-Key"].ToString(), serviceKey) && _options.AllowLegacyServiceKey)
            {
                return new EdgeResult(null, Verified: false, LegacyServiceKeyPassed: true);
            }

            return new EdgeResult("Invalid or missing service key", false, false);
        }

        return new EdgeResult(null, Verified: false, LegacyServiceKeyPassed: false);
    }

    private bool VerifySignature(string secret, string method, string path, string userId, string timestamp, string signature)
    {
        if (!signature.StartsWith("v1=", StringComparison.Ordinal))
        {
            return false;
        }

        if (!long.TryParse(timestamp, NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite, CultureInfo.InvariantCulture, out var seconds))
        {
            return false;
        }

        var now = _options.TimeProvider.GetUtcNow().ToUnixTimeSeconds();
        if (Math.Abs(now - seconds) > MaxClockSkewSeconds)
        {
            return false;
        }

        var expected = ComputeSignature(secret, method, path, userId, timestamp);
        return SecretEquals(signature, expected);
    }

    private static bool SecretEquals(string provided, string expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(provided), Encoding.UTF8.GetBytes(expected));

    /// <summary>get_current_user: null user means anonymous; a non-null error is a 404 to send.</summary>
    private (FakeUser? User, string? NotFoundMessage) CurrentUser(HttpContext context, EdgeResult edge)
    {
        var userId = context.Request.Headers["X-User-Id"].ToString();
        if (userId.Length == 0)
        {
            return (null, null);
        }

        var trusted = edge.Verified || (edge.LegacyServiceKeyPassed && _options.TrustLegacyUserHeader);
        if (!trusted)
        {
            return (null, null);
        }

        lock (_gate)
        {
            if (_usersById.TryGetValue(userId, out var user) || _usersByExternalId.TryGetValue(userId, out user))
            {
                return (user, null);
            }
        }

        return (null, $"User {userId} not found. Call POST /api/v1/users/resolve first.");
    }

    // ---- Routes ----

    private async Task HandleResolveAsync(HttpContext context)
    {
        var body = ReadJsonObject(context);
        if (body is null)
        {
            await WriteJsonDecodeErrorAsync(context);
            return;
        }

        if (string.IsNullOrEmpty(_options.ServiceKey))
        {
            await WriteRouteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "FLASH_SERVICE_KEY not configured");
            return;
        }

        if (!SecretEquals(context.Request.Headers["X-Service-Key"].ToString(), _options.ServiceKey))
        {
            await WriteRouteErrorAsync(context, StatusCodes.Status403Forbidden, "Invalid service key");
            return;
        }

        if (!TryGetString(body, "external_id", required: true, out var externalId, out var issue)
            || !TryGetString(body, "email", required: false, out var email, out issue)
            || !TryGetString(body, "display_name", required: false, out var displayName, out issue))
        {
            await WriteValidationErrorAsync(context, issue!);
            return;
        }

        (FakeUser User, bool Created) result;
        lock (_gate)
        {
            result = FindOrCreateUser(externalId!, email, displayName, balance: null, withCreditAccount: true);
        }

        await WriteJsonAsync(context, StatusCodes.Status200OK, new JsonObject { ["user_id"] = result.User.Id, ["created"] = result.Created });
    }

    private async Task HandleAdminGrantAsync(HttpContext context)
    {
        var body = ReadJsonObject(context);
        if (body is null)
        {
            await WriteJsonDecodeErrorAsync(context);
            return;
        }

        // Dependencies (the admin key) run before body validation, as in FastAPI.
        if (string.IsNullOrEmpty(_options.AdminKey))
        {
            await WriteRouteErrorAsync(context, StatusCodes.Status403Forbidden, "Admin endpoints are disabled (ADMIN_API_KEY not set)");
            return;
        }

        if (!SecretEquals(context.Request.Headers["X-Admin-Key"].ToString(), _options.AdminKey))
        {
            await WriteRouteErrorAsync(context, StatusCodes.Status403Forbidden, "Invalid admin key");
            return;
        }

        if (!TryGetString(body, "user_id", required: true, out var userId, out var issue)
            || !TryGetPositiveInt(body, "amount", out var amount, out issue)
            || !TryGetString(body, "transaction_type", required: false, out var transactionType, out issue))
        {
            await WriteValidationErrorAsync(context, issue!);
            return;
        }

        string? description = "Manual top-up";
        if (body.TryGetPropertyValue("description", out var descriptionNode))
        {
            if (descriptionNode is not null && descriptionNode.GetValueKind() != JsonValueKind.String)
            {
                await WriteValidationErrorAsync(context, Issue("string_type", "description", "Input should be a valid string", descriptionNode));
                return;
            }

            description = descriptionNode?.GetValue<string>();
        }

        // Flash silently maps unknown or miscased types to admin_grant.
        var resolvedType = transactionType is not null && KnownTransactionTypes.Contains(transactionType) ? transactionType : "admin_grant";

        lock (_gate)
        {
            if (!_usersById.ContainsKey(userId!))
            {
                userId = null;
            }
        }

        if (userId is null)
        {
            await WriteRouteErrorAsync(context, StatusCodes.Status404NotFound, "User not found");
            return;
        }

        if (Faults.TryTakeDropBeforeApply())
        {
            context.Abort();
            return;
        }

        int balanceAfter;
        lock (_gate)
        {
            var user = _usersById[userId];
            if (!user.HasAccount)
            {
                balanceAfter = -1;
            }
            else
            {
                balanceAfter = Credit(user, amount, resolvedType, description);
                _grants.Add(new RecordedGrant(userId, amount, resolvedType, description, balanceAfter, _options.TimeProvider.GetUtcNow()));
            }
        }

        if (balanceAfter < 0)
        {
            await WriteRouteErrorAsync(context, StatusCodes.Status500InternalServerError, "Internal server error");
            return;
        }

        if (Faults.TryTakeDropAfterApply())
        {
            context.Abort();
            return;
        }

        await WriteJsonAsync(context, StatusCodes.Status200OK, new JsonObject { ["balance"] = balanceAfter, ["granted"] = amount });
    }

    private async Task HandleBalanceAsync(HttpContext context, EdgeResult edge)
    {
        var user = await RequireUserAsync(context, edge);
        if (user is null)
        {
            return;
        }

        JsonObject answer;
        lock (_gate)
        {
            answer = new JsonObject { ["balance"] = user.Balance, ["lifetime_earned"] = user.LifetimeEarned, ["lifetime_spent"] = user.LifetimeSpent };
        }

        await WriteJsonAsync(context, StatusCodes.Status200OK, answer);
    }

    private async Task HandleHistoryAsync(HttpContext context, EdgeResult edge)
    {
        var query = context.Request.Query;
        if (!TryQueryInt(query["limit"].ToString(), 20, 1, 100, out var limit))
        {
            await WriteValidationErrorAsync(context, Issue("less_than_equal", "limit", "Input should be between 1 and 100", query["limit"].ToString(), location: "query"));
            return;
        }

        if (!TryQueryInt(query["offset"].ToString(), 0, 0, int.MaxValue, out var offset))
        {
            await WriteValidationErrorAsync(context, Issue("greater_than_equal", "offset", "Input should be greater than or equal to 0", query["offset"].ToString(), location: "query"));
            return;
        }

        var user = await RequireUserAsync(context, edge);
        if (user is null)
        {
            return;
        }

        var rows = new JsonArray();
        lock (_gate)
        {
            foreach (var entry in Enumerable.Reverse(user.Ledger).Skip(offset).Take(limit))
            {
                rows.Add(new JsonObject
                {
                    ["amount"] = entry.Amount,
                    ["balance_after"] = entry.BalanceAfter,
                    ["type"] = entry.Type,
                    ["description"] = entry.Description,
                    ["created_at"] = entry.CreatedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffff", CultureInfo.InvariantCulture),
                });
            }
        }

        await WriteJsonAsync(context, StatusCodes.Status200OK, rows);
    }

    private async Task HandleGenerateAsync(HttpContext context, EdgeResult edge, bool stream)
    {
        var body = ReadJsonObject(context);
        if (body is null)
        {
            await WriteJsonDecodeErrorAsync(context);
            return;
        }

        var (user, notFound) = CurrentUser(context, edge);
        if (notFound is not null)
        {
            await WriteRouteErrorAsync(context, StatusCodes.Status404NotFound, notFound);
            return;
        }

        if (user is not null)
        {
            bool enough;
            lock (_gate)
            {
                enough = user.Balance >= GenerationPrecheckCost;
            }

            if (!enough)
            {
                await WriteRouteErrorAsync(context, StatusCodes.Status402PaymentRequired, $"Insufficient credits. This operation costs {GenerationPrecheckCost} credits.");
                return;
            }
        }

        if (!TryGetString(body, "query", required: true, out var query, out var issue))
        {
            await WriteValidationErrorAsync(context, issue!);
            return;
        }

        if (query!.Length is < 3 or > 500)
        {
            await WriteValidationErrorAsync(context, Issue(query.Length < 3 ? "string_too_short" : "string_too_long", "query", "String should have between 3 and 500 characters", body["query"]));
            return;
        }

        var preset = body["preset"] is JsonValue presetValue && presetValue.TryGetValue<string>(out var presetText) ? presetText : null;
        var cost = _options.Costs.TryGetValue($"generate_{preset ?? "balanced"}", out var known) ? known : 5;
        var metered = stream && string.Equals(context.Request.Headers["X-Gateway-Metered"].ToString(), "true", StringComparison.OrdinalIgnoreCase);
        var charged = user is not null && !metered ? cost : 0;
        var shortQuery = query.Length > 60 ? query[..60] : query;
        if (charged > 0)
        {
            lock (_gate)
            {
                Debit(user!, charged, "generation", stream ? $"Generate stream ({preset ?? "balanced"}): {shortQuery}" : $"Generate ({preset ?? "balanced"}): {shortQuery}");
            }
        }

        var timepointId = Guid.NewGuid().ToString();
        if (!stream)
        {
            await WriteJsonAsync(context, StatusCodes.Status200OK, new JsonObject
            {
                ["id"] = timepointId,
                ["query"] = query,
                ["slug"] = "fake-" + timepointId[..8],
                ["status"] = "completed",
                ["preset_used"] = preset ?? "balanced",
                ["generation_time_ms"] = 1,
                ["request_context"] = body["request_context"]?.DeepClone(),
            });
            return;
        }

        await StreamEventsAsync(context, user, charged, timepointId, query, preset ?? "balanced", shortQuery);
    }

    private async Task StreamEventsAsync(HttpContext context, FakeUser? user, int charged, string timepointId, string query, string preset, string shortQuery)
    {
        Interlocked.Increment(ref _streamsStarted);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";

        string[] steps = ["judge", "timeline", "scene", "characters", "moment", "camera", "dialog", "image_prompt"];
        int[] progress = [10, 20, 30, 50, 65, 65, 80, 90];
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _lifetime.Token);
        var token = linked.Token;
        try
        {
            await WriteEventAsync(response, "start", "initialization", new JsonObject { ["query"] = query, ["generate_image"] = false, ["preset"] = preset }, 0, token);
            for (var i = 0; i < steps.Length; i++)
            {
                await Task.Delay(_options.StreamEventInterval, token);
                await WriteEventAsync(response, "step_complete", steps[i], new JsonObject { ["latency_ms"] = 1, ["model_used"] = "fake" }, progress[i], token);
            }

            await Task.Delay(_options.StreamEventInterval, token);
            await WriteEventAsync(response, "done", "complete", new JsonObject
            {
                ["timepoint_id"] = timepointId,
                ["slug"] = "fake-" + timepointId[..8],
                ["status"] = "completed",
                ["year"] = null,
                ["location"] = null,
                ["total_latency_ms"] = 1,
                ["has_image"] = false,
                ["saved"] = true,
            }, 100, token);
            Interlocked.Increment(ref _streamsCompleted);
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException)
        {
            // The client went away before "done": Flash refunds the charge.
            Interlocked.Increment(ref _streamsAborted);
            if (charged > 0)
            {
                lock (_gate)
                {
                    Credit(user!, charged, "refund", $"Refund (stream aborted): {shortQuery}");
                }
            }
        }
    }

    private static async Task WriteEventAsync(HttpResponse response, string name, string? step, JsonObject? data, int progress, CancellationToken cancellationToken)
    {
        var payload = new JsonObject { ["event"] = name, ["step"] = step, ["data"] = data, ["progress"] = progress, ["error"] = null };
        await response.WriteAsync($"data: {payload.ToJsonString()}\n\n", cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    // ---- /internal/credits/* (the Gateway's internal API shape, contract §7) ----

    private async Task HandleCreditsApiAsync(HttpContext context, string path)
    {
        var key = string.IsNullOrEmpty(_options.CreditsApiServiceKey) ? _options.ServiceKey : _options.CreditsApiServiceKey;
        if (string.IsNullOrEmpty(key) || !SecretEquals(context.Request.Headers["X-Service-Key"].ToString(), key))
        {
            await WriteJsonAsync(context, StatusCodes.Status403Forbidden, new JsonObject { ["success"] = false, ["error"] = "Invalid service key" });
            return;
        }

        var body = ReadJsonObject(context);
        if (body is null)
        {
            await WriteJsonDecodeErrorAsync(context);
            return;
        }

        var amountField = path == CreditsGrantPath ? "amount" : "cost";
        if (!TryGetString(body, "user_id", required: true, out var userId, out var issue) || !TryGetPositiveInt(body, amountField, out var amount, out issue, allowZero: path == CreditsCheckPath))
        {
            await WriteValidationErrorAsync(context, issue!);
            return;
        }

        var description = body["description"] is JsonValue descriptionValue && descriptionValue.TryGetValue<string>(out var text) ? text : null;
        var type = body["transaction_type"] is JsonValue typeValue && typeValue.TryGetValue<string>(out var typeText) ? typeText : null;
        FakeUser? user;
        lock (_gate)
        {
            user = _usersById.GetValueOrDefault(userId!) ?? _usersByExternalId.GetValueOrDefault(userId!);
        }

        if (user is null)
        {
            await WriteJsonAsync(context, StatusCodes.Status404NotFound, new JsonObject { ["success"] = false, ["error"] = "User not found" });
            return;
        }

        if (path == CreditsGrantPath && Faults.TryTakeDropBeforeApply())
        {
            context.Abort();
            return;
        }

        JsonObject answer;
        lock (_gate)
        {
            if (path == CreditsCheckPath)
            {
                answer = new JsonObject { ["success"] = true, ["sufficient"] = user.Balance >= amount, ["balance"] = user.Balance };
            }
            else if (path == CreditsSpendPath && user.Balance < amount)
            {
                answer = new JsonObject { ["success"] = false, ["error"] = "Insufficient credits" };
            }
            else
            {
                var balanceAfter = path == CreditsGrantPath
                    ? Credit(user, amount, type ?? "admin_grant", description)
                    : Debit(user, amount, type ?? "generation", description);
                var transactionId = "txn_" + Interlocked.Increment(ref _transactionCounter).ToString(CultureInfo.InvariantCulture);
                answer = new JsonObject { ["success"] = true, ["balance_after"] = balanceAfter, ["transaction_id"] = transactionId };
            }
        }

        if (path == CreditsGrantPath && Faults.TryTakeDropAfterApply())
        {
            context.Abort();
            return;
        }

        await WriteJsonAsync(context, StatusCodes.Status200OK, answer);
    }

    // ---- State (callers hold _gate) ----

    private (FakeUser User, bool Created) FindOrCreateUser(string externalId, string? email, string? displayName, int? balance, bool withCreditAccount)
    {
        if (_usersByExternalId.TryGetValue(externalId, out var existing))
        {
            return (existing, false);
        }

        var startingBalance = balance ?? _options.SignupCredits;
        var user = new FakeUser(Guid.NewGuid().ToString(), externalId, email, displayName)
        {
            HasAccount = withCreditAccount,
            Balance = withCreditAccount ? startingBalance : 0,
            LifetimeEarned = withCreditAccount ? startingBalance : 0,
        };
        _usersById[user.Id] = user;
        _usersByExternalId[externalId] = user;
        return (user, true);
    }

    private int Credit(FakeUser user, int amount, string type, string? description)
    {
        user.Balance += amount;
        user.LifetimeEarned += amount;
        user.Ledger.Add(new FakeLedgerEntry(amount, user.Balance, type, description, _options.TimeProvider.GetUtcNow()));
        return user.Balance;
    }

    private int Debit(FakeUser user, int cost, string type, string? description)
    {
        user.Balance -= cost;
        user.LifetimeSpent += cost;
        user.Ledger.Add(new FakeLedgerEntry(-cost, user.Balance, type, description, _options.TimeProvider.GetUtcNow()));
        return user.Balance;
    }

    private async Task<FakeUser?> RequireUserAsync(HttpContext context, EdgeResult edge)
    {
        var (user, notFound) = CurrentUser(context, edge);
        if (notFound is not null)
        {
            await WriteRouteErrorAsync(context, StatusCodes.Status404NotFound, notFound);
            return null;
        }

        if (user is null)
        {
            await WriteRouteErrorAsync(context, StatusCodes.Status401Unauthorized, "Authentication required");
            return null;
        }

        if (!user.HasAccount)
        {
            await WriteRouteErrorAsync(context, StatusCodes.Status404NotFound, "Credit account not found");
            return null;
        }

        return user;
    }

    // ---- Body parsing and FastAPI-shaped errors ----

    private static JsonObject? ReadJsonObject(HttpContext context)
    {
        try
        {
            var bytes = context.Items[BodyItemKey] as byte[] ?? [];
            var node = JsonNode.Parse(bytes);
            return node as JsonObject ?? new JsonObject { ["__not_an_object"] = true };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool TryGetString(JsonObject body, string field, bool required, out string? value, out JsonObject? issue)
    {
        value = null;
        issue = null;
        if (!body.TryGetPropertyValue(field, out var node) || node is null)
        {
            if (required)
            {
                issue = Issue("missing", field, "Field required", body);
                return false;
            }

            return true;
        }

        if (node.GetValueKind() != JsonValueKind.String)
        {
            issue = Issue("string_type", field, "Input should be a valid string", node);
            return false;
        }

        value = node.GetValue<string>();
        return true;
    }

    private static bool TryGetPositiveInt(JsonObject body, string field, out int value, out JsonObject? issue, bool allowZero = false)
    {
        value = 0;
        issue = null;
        if (!body.TryGetPropertyValue(field, out var node) || node is null)
        {
            issue = Issue("missing", field, "Field required", body);
            return false;
        }

        if (node is not JsonValue number || node.GetValueKind() != JsonValueKind.Number || !number.TryGetValue(out value))
        {
            issue = Issue("int_type", field, "Input should be a valid integer", node);
            return false;
        }

        if (value < 0 || (value == 0 && !allowZero))
        {
            issue = Issue("greater_than", field, "Input should be greater than 0", node);
            return false;
        }

        return true;
    }

    private static bool TryQueryInt(string raw, int fallback, int minimum, int maximum, out int value)
    {
        if (raw.Length == 0)
        {
            value = fallback;
            return true;
        }

        return int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) && value >= minimum && value <= maximum;
    }

    private static JsonObject Issue(string type, string field, string message, JsonNode? input, string location = "body") => new()
    {
        ["type"] = type,
        ["loc"] = new JsonArray(location, field),
        ["msg"] = message,
        ["input"] = input?.DeepClone(),
    };

    private static JsonObject Issue(string type, string field, string message, string input, string location) =>
        Issue(type, field, message, JsonValue.Create(input), location);

    private static Task WriteValidationErrorAsync(HttpContext context, JsonObject issue) =>
        WriteJsonAsync(context, StatusCodes.Status422UnprocessableEntity, new JsonObject { ["detail"] = new JsonArray(issue) });

    private static Task WriteJsonDecodeErrorAsync(HttpContext context) =>
        WriteValidationErrorAsync(context, new JsonObject
        {
            ["type"] = "json_invalid",
            ["loc"] = new JsonArray("body", 0),
            ["msg"] = "JSON decode error",
            ["input"] = new JsonObject(),
        });

    /// <summary>Flash's HTTPException handler shape: <c>{"error": message, "detail": null}</c>.</summary>
    private static Task WriteRouteErrorAsync(HttpContext context, int statusCode, string message) =>
        WriteJsonAsync(context, statusCode, new JsonObject { ["error"] = message, ["detail"] = null });

    private static async Task WriteJsonAsync(HttpContext context, int statusCode, JsonNode body)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json";
        var requestId = context.Request.Headers["X-Request-ID"].ToString();
        if (requestId.Length > 0)
        {
            context.Response.Headers["X-Request-ID"] = requestId;
        }

        await context.Response.WriteAsync(body.ToJsonString());
    }

    private sealed record EdgeResult(string? RejectMessage, bool Verified, bool LegacyServiceKeyPassed);

    private sealed class FakeUser(string id, string externalId, string? email, string? displayName)
    {
        public string Id { get; } = id;

        public string ExternalId { get; } = externalId;

        public string? Email { get; } = email;

        public string? DisplayName { get; } = displayName;

        public bool HasAccount { get; init; }

        public int Balance { get; set; }

        public int LifetimeEarned { get; set; }

        public int LifetimeSpent { get; set; }

        public List<FakeLedgerEntry> Ledger { get; } = [];
    }
}
