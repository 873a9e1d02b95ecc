using System.Diagnostics;
using System.Globalization;
using System.Text;
using Billing.Harness;
using Billing.TestFakes.Stripe;

namespace Billing.Bench;

internal sealed record BenchOptions
{
    public TimeSpan Seconds { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(1);

    public int[] Levels { get; init; } = [1, 16, 64];

    public int DrainGrants { get; init; } = 10_000;

    public double PaymentRate { get; init; } = 200;

    public TimeSpan PaymentSeconds { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan ReadsSeconds { get; init; } = TimeSpan.FromSeconds(4);

    public int ReadsConnections { get; init; } = 16;

    public TimeSpan AppleSeconds { get; init; } = TimeSpan.FromSeconds(2);

    public int StartupRuns { get; init; } = 3;

    public double FlashLatencyMs { get; init; } = 2;

    public bool FastPostgres { get; init; }

    public string? DatabaseUrl { get; init; }

    public string LogDirectory { get; init; } = Path.Combine(RepoPaths.Root(), ".local", "bench");

    /// <summary>Extra service environment (KEY=VALUE,...), for experiments such as DOTNET_gcServer=0.</summary>
    public IReadOnlyDictionary<string, string?> ServiceEnvironment { get; init; } = new Dictionary<string, string?>();

    /// <summary>Experiment: drop the inbox NOTIFY trigger (service and pgbench table alike); the inbox processor then polls.</summary>
    public bool NoInboxNotify { get; init; }

    /// <summary>Figures to run (intake, payment, drain, reads, keys, apple, ratelimit, usage); all when null.</summary>
    public IReadOnlySet<string>? Only { get; init; }

    public bool Runs(string figure) => Only is null || Only.Contains(figure);

    public static BenchOptions From(Options o)
    {
        var quick = o.Flag("quick");
        var b = quick
            ? new BenchOptions { Seconds = TimeSpan.FromSeconds(2), DrainGrants = 2000, PaymentSeconds = TimeSpan.FromSeconds(3), ReadsSeconds = TimeSpan.FromSeconds(2), AppleSeconds = TimeSpan.FromSeconds(1), StartupRuns = 1 }
            : new BenchOptions();
        return b with
        {
            Seconds = TimeSpan.FromSeconds(o.Double("seconds", b.Seconds.TotalSeconds)),
            Warmup = TimeSpan.FromSeconds(o.Double("warmup", b.Warmup.TotalSeconds)),
            Levels = o.StringOrNull("connections") is { } c ? [.. c.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))] : b.Levels,
            DrainGrants = o.Int("drain", b.DrainGrants),
            PaymentRate = o.Double("payment-rate", b.PaymentRate),
            PaymentSeconds = TimeSpan.FromSeconds(o.Double("payment-seconds", b.PaymentSeconds.TotalSeconds)),
            ReadsSeconds = TimeSpan.FromSeconds(o.Double("reads-seconds", b.ReadsSeconds.TotalSeconds)),
            ReadsConnections = o.Int("reads-connections", b.ReadsConnections),
            AppleSeconds = TimeSpan.FromSeconds(o.Double("apple-seconds", b.AppleSeconds.TotalSeconds)),
            StartupRuns = o.Int("startup-runs", b.StartupRuns),
            FlashLatencyMs = o.Double("flash-latency-ms", b.FlashLatencyMs),
            FastPostgres = o.Flag("fast-pg"),
            DatabaseUrl = o.StringOrNull("database-url") ?? Environment.GetEnvironmentVariable("BENCH_DATABASE_URL"),
            LogDirectory = o.String("log-dir", b.LogDirectory),
            ServiceEnvironment = (o.StringOrNull("service-env") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(kv => kv.Split('=', 2)).ToDictionary(kv => kv[0], kv => (string?)(kv.Length > 1 ? kv[1] : null), StringComparer.Ordinal),
            NoInboxNotify = o.Flag("no-inbox-notify"),
            Only = o.StringOrNull("only")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal),
        };
    }
}

/// <summary>build/bench.sh: every figure measured beside its reference in the same run, printed as one table.</summary>
internal static class BenchRunner
{
    private const string DatabaseName = "billing_bench";

    /// <summary>Lines printed under the table: where the time and the CPU went.</summary>
    private static readonly List<string> Notes = [];

    public static async Task<int> RunAsync(BenchOptions options)
    {
        var table = new TextTable("figure", "measured", "reference (same run)", "ratio", "target", "result");
        var missed = 0;
        Notes.Clear();

        void Row(string figure, string measured, string reference, string ratio, string target, bool? met)
        {
            table.Add(figure, measured, reference, ratio, target, met switch { true => "met", false => "MISSED", null => "-" });
            if (met == false)
            {
                missed++;
            }
        }

        Log($"bench: starting PostgreSQL ({(options.FastPostgres ? "fsync off" : "durable: fsync and synchronous_commit on")}), the fakes and the service (Release)");
        var started = DateTime.UtcNow;
        await using var world = await BillingWorld.StartAsync(new WorldOptions
        {
            ExternalDatabaseUrl = options.DatabaseUrl,
            FastPostgres = options.FastPostgres,
            DatabaseName = DatabaseName,
            LogDirectory = options.LogDirectory,
            ServiceEnvironment = new Dictionary<string, string?>(options.ServiceEnvironment)
            {
                ["FLASH_TIMEOUT_SECONDS"] = "5",
                // The keys figure measures the cost of a decision, not refusals.
                ["RATE_LIMITS"] = "free:1000000000/64",
            },
        });
        world.Flash.Faults.Latency = TimeSpan.FromMilliseconds(options.FlashLatencyMs);

        // 6b. Start-up to /health/ready on the now migrated database (graceful stop, fresh process each time).
        var startups = new List<double>();
        for (var i = 0; i < options.StartupRuns; i++)
        {
            await world.StopServiceAsync();
            startups.Add((await world.StartServiceAsync()).TotalMilliseconds);
        }

        startups.Sort();
        Log($"bench: start-up to ready {string.Join(", ", startups.Select(s => $"{s:0} ms"))}; service pid {world.Service!.Pid}, log {world.LogPath}");

        var rss = new List<string> { $"after start-up {Mb(world.Service!.CurrentRssBytes())}" };

        // 1. Webhook intake vs pgbench.
        var intake = options.Runs("intake") ? await IntakeAsync(world, options, Row) : new IntakeSummary(0);
        if (options.Runs("intake"))
        {
            rss.Add($"after intake {Mb(world.Service!.PeakRssBytes())}");
        }

        // 2. Payment -> credits.
        string? statusUser = null;
        if (options.Runs("payment"))
        {
            statusUser = await PaymentToCreditsAsync(world, options, Row);
            rss.Add($"after payment -> credits {Mb(world.Service!.PeakRssBytes())}");
        }

        // 3. Backlog drain.
        if (options.Runs("drain"))
        {
            await DrainAsync(world, options, Row);
            rss.Add($"after drain {Mb(world.Service!.PeakRssBytes())}");
        }

        // 4. Internal reads vs a bare endpoint.
        if (options.Runs("reads"))
        {
            await ReadsAsync(world, options, statusUser ?? "bench-drain-user-1", Row);
            rss.Add($"after reads {Mb(world.Service!.PeakRssBytes())}");
        }

        // 4b. Developer keys: verify + rate-limit decision vs a bare endpoint, relay vs Flash directly.
        if (options.Runs("keys"))
        {
            Log("bench: developer keys");
            await KeysBench.RunAsync(world, options, Row);
        }

        // 5. Apple verify vs raw ES256.
        if (options.Runs("apple"))
        {
            Log("bench: Apple verify");
            var apple = AppleBench.Run(options.AppleSeconds);
            Row("Apple verify (AppleSignedDataVerifier, in-process, 1 thread)", $"{apple.VerifiedPerSecond:N0} JWS/s", $"raw ES256 VerifyData: {apple.RawPerSecond:N0}/s",
                Ratio(apple.VerifiedPerSecond / apple.RawPerSecond), "(none set)", null);
        }

        // 5b. Developer relay costs: a Redis rate-limit decision vs the same endpoint without it; usage ingest.
        if (options.Runs("ratelimit"))
        {
            await DeveloperBench.RateLimitAsync(options, Row, Log);
        }

        if (options.Runs("usage"))
        {
            await DeveloperBench.UsageIngestAsync(world.DataSource, Row, Log);
        }

        // 6. Peak RSS over the run (the last service process served every figure above) and start-up.
        var peak = world.Service!.PeakRssBytes() ?? 0;
        Row("Peak RSS of the service (VmHWM, whole run)", $"{peak / 1024.0 / 1024.0:0} MB", "-", "-", "<= 150 MB", peak <= 150L * 1024 * 1024);
        Notes.Add("service memory: VmRSS " + rss[0] + "; peak (VmHWM) " + string.Join(", ", rss.Skip(1)) + $"; GC {(world.ServiceEnvironment().GetValueOrDefault("DOTNET_gcServer") == "0" ? "workstation" : "server (the Web SDK default)")}");
        var median = startups[startups.Count / 2];
        Row($"Start-up to /health/ready, migrated DB (median of {startups.Count})", $"{median:0} ms (max {startups[^1]:0} ms)", "-", "-", "<= 1 s", median <= 1000);

        var load = File.Exists("/proc/loadavg") ? (await File.ReadAllTextAsync("/proc/loadavg")).Split(' ')[..3] : ["?"];
        var header = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"timepoint-billing bench, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load average at end {string.Join(' ', load)}, ")
            .Append(CultureInfo.InvariantCulture, $"PostgreSQL {(options.FastPostgres ? "fsync off" : "durable")}, {options.Seconds.TotalSeconds:0} s per intake level, Flash fake latency {options.FlashLatencyMs:0} ms, ")
            .Append(CultureInfo.InvariantCulture, $"intake event {intake.PayloadBytes:N0} bytes, run took {(DateTime.UtcNow - started).TotalSeconds:0} s")
            .ToString();
        Console.WriteLine(header);
        Console.WriteLine();
        Console.Write(table.ToString());
        if (Notes.Count > 0)
        {
            Console.WriteLine();
            foreach (var note in Notes)
            {
                Console.WriteLine("- " + note);
            }
        }

        Console.WriteLine(missed == 0 ? "\nall targets met" : $"\n{missed} target(s) missed");
        return 0;
    }

    private sealed record IntakeSummary(int PayloadBytes);

    private static async Task<IntakeSummary> IntakeAsync(BillingWorld world, BenchOptions options, Action<string, string, string, string, string, bool?> row)
    {
        var template = IntakeTemplate();
        var payloadText = Encoding.UTF8.GetString(template.Bytes);
        using var pgbench = await Pgbench.PrepareAsync(world, DatabaseName, payloadText);
        if (options.NoInboxNotify)
        {
            await world.ExecuteAsync("DROP TRIGGER inbox_events_notify ON public.inbox_events; DROP TRIGGER inbox_events_notify ON pgb.inbox_events");
            Notes.Add("experiment: inbox NOTIFY trigger dropped on both tables (the inbox processor polls every INBOX_POLL_INTERVAL_MS)");
        }

        long sequence = 0;
        var secret = world.Stripe.WebhookSecret;

        async Task<bool> Send(HttpClient client, long _, CancellationToken ct)
        {
            var body = (byte[])template.Bytes.Clone();
            var id = Interlocked.Increment(ref sequence).ToString("D20", CultureInfo.InvariantCulture);
            Encoding.ASCII.GetBytes(id, body.AsSpan(template.IdOffset, 20));
            using var request = BillingWorld.WebhookRequest(body, StripeFake.SignatureHeader(body, secret, DateTimeOffset.UtcNow));
            using var response = await client.SendAsync(request, ct);
            return response.IsSuccessStatusCode;
        }

        // JIT and connection pools warm before the first level is measured (not reported).
        using (var warm = LoadGenerator.CreateClient(world.ServiceUrl, 16))
        {
            await LoadGenerator.ClosedLoopAsync(warm, 16, TimeSpan.FromSeconds(Math.Max(3, options.Warmup.TotalSeconds * 3)), TimeSpan.Zero, Send);
        }

        var peak = 0.0;
        foreach (var connections in options.Levels)
        {
            await Quiesce(world);
            Log($"bench: intake at {connections} connection(s)");
            using var client = LoadGenerator.CreateClient(world.ServiceUrl, connections);
            var cpu = CpuSnapshot.Take(world);
            LoadResult result;
            await using (var waits = WaitSampler.Start(world.ConnectionString, DatabaseName))
            {
                result = await LoadGenerator.ClosedLoopAsync(client, connections, options.Seconds, options.Warmup, Send);
                Notes.Add($"intake at {connections} conn: PostgreSQL backends busy on average, by state: " + waits.Summary());
            }

            var intakeCpu = CpuSnapshot.Take(world) - cpu;
            var sent = result.Ok + result.Failed;
            await Quiesce(world);
            Log($"bench: pgbench at {connections} client(s)");
            cpu = CpuSnapshot.Take(world);
            var reference = await pgbench.RunAsync(connections, options.Seconds);
            var pgbenchCpu = CpuSnapshot.Take(world) - cpu;
            await pgbench.CleanAsync(world);
            // The intake window includes the warm-up; CPU per event is over every request sent in it (approximately).
            var total = sent * (options.Seconds + options.Warmup).TotalSeconds / options.Seconds.TotalSeconds;
            Notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"intake at {connections} conn: CPU per accepted event: service {intakeCpu.Service / total:0.00} ms, PostgreSQL {intakeCpu.Postgres / total:0.00} ms, load generator + fakes {intakeCpu.Harness / total:0.00} ms; pgbench: PostgreSQL {pgbenchCpu.Postgres / (reference.Tps * options.Seconds.TotalSeconds):0.00} ms per transaction"));
            peak = Math.Max(peak, result.OkPerSecond);
            var ratio = result.OkPerSecond / reference.Tps;
            row($"Webhook intake, {connections} conn", $"{result.OkPerSecond:N0} ev/s, p50 {result.Latency.P50:0.0} ms, p99 {result.Latency.P99:0.0} ms{Failures(result)}",
                $"pgbench: {reference.Tps:N0} tx/s, avg {reference.AverageLatencyMs:0.0} ms", Ratio(ratio),
                connections is 16 or 64 ? ">= 1.0" : "(none set)", connections is 16 or 64 ? ratio >= 1.0 : null);
        }

        // p99 at half of the peak rate, 16 connections, paced (latency from each request's scheduled start).
        await Quiesce(world);
        var half = peak / 2;
        Log($"bench: intake paced at {half:0}/s (half the peak)");
        using (var client = LoadGenerator.CreateClient(world.ServiceUrl, 16))
        {
            var paced = await LoadGenerator.FixedRateAsync(client, 16, half, options.Seconds, Send);
            row($"Webhook intake at half the peak ({half:N0} ev/s, 16 conn)", $"{paced.OkPerSecond:N0} ev/s, p50 {paced.Latency.P50:0.0} ms, p99 {paced.Latency.P99:0.0} ms{Failures(paced)}",
                "-", "-", "p99 <= 10 ms", paced.Latency.P99 <= 10);
        }

        return new IntakeSummary(template.Bytes.Length);
    }

    private static async Task<string> PaymentToCreditsAsync(BillingWorld world, BenchOptions options, Action<string, string, string, string, string, bool?> row)
    {
        // Steady state, not a cold start: the fulfilment path (Stripe read, purchase, grant, dispatcher) is exercised at half the
        // rate first, long enough for tiered JIT to settle; otherwise the first seconds build a backlog the run never clears.
        var warmup = (int)Math.Max(100, options.PaymentRate * 2);
        var count = (int)(options.PaymentRate * options.PaymentSeconds.TotalSeconds);
        Log($"bench: payment -> credits: preparing {count + warmup} paid checkouts through the service");
        var checkouts = await world.CreatePaidCheckoutsAsync("p2c", count + warmup, 100);
        await Quiesce(world);

        var payloads = checkouts.Select((c, i) => world.CheckoutCompletedEvent(c, $"evt_p2c_{i:D6}_{Guid.NewGuid().ToString("N")[..8]}")).ToArray();
        var acked = new DateTimeOffset?[payloads.Length];

        async Task<bool> Send(HttpClient client, long index, CancellationToken ct, int offset)
        {
            var body = payloads[offset + index];
            using var request = BillingWorld.WebhookRequest(body, world.Sign(body));
            using var response = await client.SendAsync(request, ct);
            return response.IsSuccessStatusCode;
        }

        using var client = LoadGenerator.CreateClient(world.ServiceUrl, 16);
        Log("bench: payment -> credits: warm-up");
        await LoadGenerator.FixedRateAsync(client, 16, options.PaymentRate / 2, TimeSpan.FromSeconds(warmup / (options.PaymentRate / 2)), (c, i, ct) => Send(c, i, ct, 0), (i, at) => acked[i] = at, warmup);
        await Quiesce(world);

        Log($"bench: payment -> credits at {options.PaymentRate:0} events/s for {options.PaymentSeconds.TotalSeconds:0} s");
        LoadResult result;
        await using (var waits = WaitSampler.Start(world.ConnectionString, DatabaseName))
        {
            result = await LoadGenerator.FixedRateAsync(client, 16, options.PaymentRate, options.PaymentSeconds, (c, i, ct) => Send(c, i, ct, warmup), (i, at) => acked[warmup + i] = at, count);
            Notes.Add("payment -> credits: PostgreSQL backends busy on average, by state (Client:ClientRead inside a transaction = waiting for the service): " + waits.Summary());
        }

        var measured = checkouts.Skip(warmup).Select((c, i) => (Checkout: c, Acked: acked[warmup + i])).Where(x => x.Acked is not null).ToList();
        var keys = measured.ToDictionary(x => x.Checkout.GrantKey, x => x.Acked!.Value, StringComparer.Ordinal);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        Dictionary<string, DateTimeOffset> arrived = [];
        while (DateTime.UtcNow < deadline)
        {
            arrived = world.Flash.Grants.Select(g => (Key: Invariant.KeyOf(g), g.At)).Where(g => g.Key is not null && keys.ContainsKey(g.Key))
                .GroupBy(g => g.Key!).ToDictionary(g => g.Key, g => g.Min(x => x.At), StringComparer.Ordinal);
            if (arrived.Count == keys.Count)
            {
                break;
            }

            await Task.Delay(200);
        }

        var latency = new Latency();
        latency.AddRange(arrived.Select(kv => (kv.Value - keys[kv.Key]).TotalMilliseconds));
        await NoteStages(world, measured.Select(x => x.Checkout).ToList(), payloads.Skip(warmup).ToList(), keys, arrived);
        var missing = keys.Count - arrived.Count;
        row($"Payment -> credits at {options.PaymentRate:0} ev/s (2xx to grant at Flash)",
            $"p50 {latency.P50:0.0} ms, p99 {latency.P99:0.0} ms ({arrived.Count:N0} payments, {result.OkPerSecond:N0} ev/s sent{(missing > 0 ? $", {missing} never arrived" : "")})",
            "-", "-", "p50 <= 15 ms, p99 <= 60 ms", latency.P50 <= 15 && latency.P99 <= 60 && missing == 0);

        // Context for the latency: how many payments per second this machine turns into credits at most (all sent at once).
        var burst = await world.CreatePaidCheckoutsAsync("p2c-burst", Math.Min(1000, count), 100);
        await Quiesce(world);
        var deliveries = new WebhookDeliveries(world, burst, "p2c-burst");
        var burstKeys = burst.Select(c => c.GrantKey).ToHashSet(StringComparer.Ordinal);
        var t0 = DateTimeOffset.UtcNow;
        await deliveries.DeliverAsync(client, [.. Enumerable.Range(0, burst.Count)], 16);
        var intakeSeconds = (DateTimeOffset.UtcNow - t0).TotalSeconds;
        var last = t0;
        var burstDeadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (DateTime.UtcNow < burstDeadline)
        {
            var landed = world.Flash.Grants.Where(g => Invariant.KeyOf(g) is { } key && burstKeys.Contains(key)).ToList();
            if (landed.Count >= burst.Count)
            {
                last = landed.Max(g => g.At);
                break;
            }

            await Task.Delay(100);
        }

        var capacity = burst.Count / (last - t0).TotalSeconds;
        row($"Payment -> credits capacity ({burst.Count:N0} paid checkouts sent at once, 16 conn)",
            $"{capacity:N0} payments/s end to end (webhooks accepted at {burst.Count / intakeSeconds:N0}/s)", "-", "-", "(context for the row above)", null);
        return checkouts[warmup].UserId;
    }

    /// <summary>Where payment-to-credits time goes, from the rows' own timestamps (medians and p99 per stage).</summary>
    private static async Task NoteStages(BillingWorld world, List<PaidCheckout> checkouts, List<byte[]> payloads, Dictionary<string, DateTimeOffset> acked, Dictionary<string, DateTimeOffset> arrived)
    {
        var eventIds = payloads.Select(p => System.Text.Json.JsonDocument.Parse(p).RootElement.GetProperty("id").GetString()!).ToArray();
        var inbox = new Dictionary<string, (DateTimeOffset Received, DateTimeOffset? Processed)>(StringComparer.Ordinal);
        await using (var command = world.DataSource.CreateCommand("SELECT event_id, received_at, processed_at FROM inbox_events WHERE event_id = ANY($1)"))
        {
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = eventIds });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                inbox[reader.GetString(0)] = (reader.GetFieldValue<DateTimeOffset>(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2));
            }
        }

        var grants = new Dictionary<string, (DateTimeOffset Created, DateTimeOffset? Attempt, DateTimeOffset? Delivered)>(StringComparer.Ordinal);
        await using (var command = world.DataSource.CreateCommand("SELECT grant_key, created_at, last_attempt_at, delivered_at FROM credit_grants WHERE grant_key = ANY($1)"))
        {
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = checkouts.Select(c => c.GrantKey).ToArray() });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                grants[reader.GetString(0)] = (reader.GetFieldValue<DateTimeOffset>(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2), reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3));
            }
        }

        Latency toProcessed = new(), toClaimed = new(), toFlash = new(), toRecorded = new();
        for (var i = 0; i < checkouts.Count; i++)
        {
            var key = checkouts[i].GrantKey;
            if (!inbox.TryGetValue(eventIds[i], out var row) || row.Processed is null || !grants.TryGetValue(key, out var grant) || grant.Attempt is null || !arrived.TryGetValue(key, out var atFlash) || !acked.ContainsKey(key))
            {
                continue;
            }

            toProcessed.Add((row.Processed.Value - acked[key]).TotalMilliseconds);
            toClaimed.Add((grant.Attempt.Value - row.Processed.Value).TotalMilliseconds);
            toFlash.Add((atFlash - grant.Attempt.Value).TotalMilliseconds);
            if (grant.Delivered is { } delivered)
            {
                toRecorded.Add((delivered - atFlash).TotalMilliseconds);
            }
        }

        static string Stage(string name, Latency l) => string.Create(CultureInfo.InvariantCulture, $"{name} p50 {l.P50:0} / p99 {l.P99:0} ms");
        Notes.Add("payment -> credits by stage: " + string.Join("; ", Stage("2xx -> inbox event processed (grant row committed)", toProcessed),
            Stage("-> dispatcher claim", toClaimed), Stage("-> at Flash", toFlash), Stage("then outcome recorded", toRecorded)));
    }

    private static async Task DrainAsync(BillingWorld world, BenchOptions options, Action<string, string, string, string, string, bool?> row)
    {
        var n = options.DrainGrants;
        Log($"bench: backlog drain: seeding {n:N0} pending grants");
        var users = Enumerable.Range(0, 100).Select(i => $"bench-drain-user-{i}").ToList();
        users.ForEach(world.EnsureFlashUser);
        await world.ExecuteAsync("""
            INSERT INTO credit_grants (id, grant_key, user_id, amount, transaction_type, description, source_event, status, attempts,
                                       attempt_in_flight, unconfirmed, next_attempt_at, created_at)
            SELECT gen_random_uuid(), 'bench:drain:' || lpad(i::text, 6, '0'), 'bench-drain-user-' || (i % 100), 10, 'stripe_purchase',
                   'Benchmark backlog grant of 10 credits [bench:drain:' || lpad(i::text, 6, '0') || ']', 'bench', 'pending', 0,
                   false, false, now() + interval '1 day', now()
            FROM generate_series(1, $1) AS i
            """, n);
        await Quiesce(world);

        // Everything becomes due at once: that is the backlog (e.g. after a Flash outage).
        var t0 = DateTimeOffset.UtcNow;
        await world.ExecuteAsync("UPDATE credit_grants SET next_attempt_at = now() WHERE grant_key LIKE 'bench:drain:%'");
        await world.ExecuteAsync("SELECT pg_notify('billing_grants', '')");
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        List<(string Key, DateTimeOffset At)> drained = [];
        while (DateTime.UtcNow < deadline)
        {
            drained = [.. world.Flash.Grants.Select(g => (Key: Invariant.KeyOf(g) ?? "", g.At)).Where(g => g.Key.StartsWith("bench:drain:", StringComparison.Ordinal))];
            if (drained.Count >= n && await world.ScalarAsync("SELECT count(*) FROM credit_grants WHERE grant_key LIKE 'bench:drain:%' AND status <> 'delivered'") == 0)
            {
                break;
            }

            await Task.Delay(50);
        }

        var end = drained.Count == 0 ? t0 : drained.Max(d => d.At);
        var seconds = (end - t0).TotalSeconds;
        var distinct = drained.Select(d => d.Key).Distinct(StringComparer.Ordinal).Count();
        var duplicates = drained.Count - distinct;
        var lost = n - distinct;
        var delivered = await world.ScalarAsync("SELECT count(*) FROM credit_grants WHERE grant_key LIKE 'bench:drain:%' AND status = 'delivered'");
        var rate = distinct / seconds;
        var exactlyOnce = duplicates == 0 && lost == 0 && delivered == n;
        row($"Backlog drain, {n:N0} pending grants, Flash ~{options.FlashLatencyMs:0} ms",
            $"{rate:N0} grants/s, all {n:N0} in {seconds:0.0} s; {(exactlyOnce ? "exactly once" : $"{duplicates} duplicates, {lost} lost, {delivered} delivered in DB")}",
            "-", "-", ">= 4,000/s, exactly once", rate >= 4000 && exactlyOnce);
    }

    private static async Task ReadsAsync(BillingWorld world, BenchOptions options, string statusUser, Action<string, string, string, string, string, bool?> row)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"billing-bench-bare-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        var products = await Capture(world, "internal/billing/products", null);
        var status = await Capture(world, "internal/billing/status", statusUser);
        await File.WriteAllBytesAsync(Path.Combine(dir, "products.json"), products);
        await File.WriteAllBytesAsync(Path.Combine(dir, "status.json"), status);

        var port = Ports.Free();
        var bareUrl = new Uri($"http://127.0.0.1:{port}/");
        var info = new ProcessStartInfo(RepoPaths.DotnetHost()) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(typeof(BenchRunner).Assembly.Location);
        foreach (var a in new[] { "bare", "--port", port.ToString(CultureInfo.InvariantCulture), "--products", Path.Combine(dir, "products.json"), "--status", Path.Combine(dir, "status.json") })
        {
            info.ArgumentList.Add(a);
        }

        // Same GC mode as the service (the Web SDK turns server GC on).
        info.Environment["DOTNET_gcServer"] = "1";
        using var bare = Process.Start(info)!;
        bare.OutputDataReceived += (_, _) => { };
        bare.ErrorDataReceived += (_, _) => { };
        bare.BeginOutputReadLine();
        bare.BeginErrorReadLine();
        try
        {
            await WaitUp(bareUrl);
            foreach (var (path, bytes, user) in new[] { ("internal/billing/products", products, (string?)null), ("internal/billing/status", status, statusUser) })
            {
                var service = new List<LoadResult>();
                var reference = new List<LoadResult>();
                Log($"bench: reads {path}");
                for (var round = 0; round < 2; round++)
                {
                    service.Add(await Reads(world.ServiceUrl, path, user, options));
                    reference.Add(await Reads(bareUrl, path, user, options));
                }

                var (serviceRps, serviceP99) = Combine(service);
                var (bareRps, bareP99) = Combine(reference);
                var ratio = serviceRps / bareRps;
                // products: the bare endpoint serves the same bytes. status: the same bytes too, but without the queries, so the
                // issue's target (>= 0.6 of a bare endpoint running the same queries with plain Npgsql) is not measured yet.
                var target = path.EndsWith("products", StringComparison.Ordinal) ? 0.9 : 0.6;
                row($"GET /{path} ({bytes.Length:N0} B, {options.ReadsConnections} conn)", $"{serviceRps:N0} req/s, p99 {serviceP99:0.0} ms",
                    $"bare minimal API, same bytes{(target < 0.9 ? ", no queries" : "")}: {bareRps:N0} req/s, p99 {bareP99:0.0} ms", Ratio(ratio), $">= {target:0.0#}", ratio >= target);
            }
        }
        finally
        {
            bare.Kill();
            await bare.WaitForExitAsync();
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<LoadResult> Reads(Uri baseUrl, string path, string? user, BenchOptions options)
    {
        using var client = LoadGenerator.CreateClient(baseUrl, options.ReadsConnections);
        client.DefaultRequestHeaders.Add("X-Service-Key", BillingWorld.ServiceKey);
        if (user is not null)
        {
            client.DefaultRequestHeaders.Add("X-User-Id", user);
        }

        var uri = new Uri(path, UriKind.Relative);
        return await LoadGenerator.ClosedLoopAsync(client, options.ReadsConnections, options.ReadsSeconds / 2, TimeSpan.FromSeconds(0.5), async (c, _, ct) =>
        {
            using var response = await c.GetAsync(uri, HttpCompletionOption.ResponseContentRead, ct);
            return response.IsSuccessStatusCode;
        });
    }

    private static (double Rps, double P99) Combine(List<LoadResult> results)
    {
        var latency = new Latency();
        foreach (var r in results)
        {
            latency.AddRange(r.Latency.Snapshot());
        }

        return (results.Sum(r => r.Ok) / results.Sum(r => r.Elapsed.TotalSeconds), latency.P99);
    }

    private static async Task<byte[]> Capture(BillingWorld world, string path, string? user)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (user is not null)
        {
            request.Headers.Add("X-User-Id", user);
        }

        using var response = await world.Internal.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsByteArrayAsync();
    }

    private static async Task WaitUp(Uri url)
    {
        using var client = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(1) };
        for (var i = 0; i < 300; i++)
        {
            try
            {
                using var response = await client.GetAsync(new Uri("health/ready", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("the bare reference server did not start");
    }

    /// <summary>Lets background work from the previous step finish (inbox processed) so it does not load the next measurement.</summary>
    private static async Task Quiesce(BillingWorld world)
    {
        if (world.ServiceEnvironment().TryGetValue("BACKGROUND_WORKERS", out var workers) && workers == "false")
        {
            await Task.Delay(300);
            return;
        }

        if (!await world.WaitInboxDrainedAsync(TimeSpan.FromMinutes(3)))
        {
            Log("bench: warning: the inbox still has unprocessed events");
        }

        await Task.Delay(300);
    }

    /// <summary>
    /// A Stripe event of realistic size (about 2 KB) whose type the service stores and then ignores (payment_intent.created), with
    /// a 20-digit slot for a unique id. Separators are ": " so pgbench does not read ":digits" as a variable.
    /// </summary>
    private static (byte[] Bytes, int IdOffset) IntakeTemplate()
    {
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var json =
            "{\"id\": \"evt_bench_00000000000000000000\", \"object\": \"event\", \"api_version\": \"" + StripeFake.DefaultApiVersion + "\", \"created\": " + created + ", " +
            "\"data\": {\"object\": {\"id\": \"pi_3QbenchAbCdEfGhIjKlMnOp\", \"object\": \"payment_intent\", \"amount\": 999, \"amount_capturable\": 0, " +
            "\"amount_details\": {\"tip\": {}}, \"amount_received\": 0, \"application\": null, \"application_fee_amount\": null, " +
            "\"automatic_payment_methods\": {\"allow_redirects\": \"always\", \"enabled\": true}, \"canceled_at\": null, \"cancellation_reason\": null, " +
            "\"capture_method\": \"automatic_async\", \"client_secret\": \"pi_3QbenchAbCdEfGhIjKlMnOp_secret_ZyXwVuTsRqPoNmLkJiHgFeDcBa\", " +
            "\"confirmation_method\": \"automatic\", \"created\": " + created + ", \"currency\": \"usd\", \"customer\": \"cus_RbenchAbCdEfGh\", " +
            "\"description\": \"Explorer - 50 credits\", \"last_payment_error\": null, \"latest_charge\": null, \"livemode\": false, " +
            "\"metadata\": {\"timepoint_user_id\": \"user-00000000-0000-0000-0000-000000000000\", \"timepoint_product_id\": \"com.timepoint.flash.credits.50\"}, " +
            "\"next_action\": null, \"on_behalf_of\": null, \"payment_method\": null, " +
            "\"payment_method_configuration_details\": {\"id\": \"pmc_1QbenchAbCdEfGhIjKlMnOp\", \"parent\": null}, " +
            "\"payment_method_options\": {\"card\": {\"installments\": null, \"mandate_options\": null, \"network\": null, \"request_three_d_secure\": \"automatic\"}, " +
            "\"link\": {\"persistent_token\": null}}, \"payment_method_types\": [\"card\", \"link\"], \"processing\": null, \"receipt_email\": \"ada@example.com\", " +
            "\"review\": null, \"setup_future_usage\": null, \"shipping\": null, \"source\": null, \"statement_descriptor\": null, " +
            "\"statement_descriptor_suffix\": null, \"status\": \"requires_payment_method\", \"transfer_data\": null, \"transfer_group\": null}}, " +
            "\"livemode\": false, \"pending_webhooks\": 1, \"request\": {\"id\": \"req_benchAbCdEfGhIj\", \"idempotency_key\": \"checkout-00000000-0000-0000-0000-000000000000\"}, " +
            "\"type\": \"payment_intent.created\"}";
        for (var i = json.IndexOf(':', StringComparison.Ordinal); i >= 0; i = json.IndexOf(':', i + 1))
        {
            if (i + 1 < json.Length && (char.IsLetterOrDigit(json[i + 1]) || json[i + 1] == '_'))
            {
                throw new InvalidOperationException("the intake template has a ':' pgbench would read as a variable");
            }
        }

        var bytes = Encoding.UTF8.GetBytes(json);
        return (bytes, json.IndexOf("evt_bench_", StringComparison.Ordinal) + "evt_bench_".Length);
    }

    /// <summary>CPU used so far (ms) by the service process, the PostgreSQL cluster and this harness.</summary>
    private readonly record struct CpuSnapshot(double Service, double Postgres, double Harness)
    {
        public static CpuSnapshot Take(BillingWorld world) => new(
            world.Service?.CpuTime()?.TotalMilliseconds ?? 0,
            world.Cluster.DataDirectory is { } dir ? ProcessCpu.PostgresTotal(dir).TotalMilliseconds : 0,
            ProcessCpu.Self().TotalMilliseconds);

        public static CpuSnapshot operator -(CpuSnapshot a, CpuSnapshot b) => new(a.Service - b.Service, a.Postgres - b.Postgres, a.Harness - b.Harness);
    }

    private static string Mb(long? bytes) => bytes is { } b ? string.Create(CultureInfo.InvariantCulture, $"{b / 1024.0 / 1024.0:0} MB") : "?";

    private static string Failures(LoadResult result) => result.Failed > 0 ? $", {result.Failed} not 2xx" : "";

    private static string Ratio(double ratio) => ratio.ToString("0.00", CultureInfo.InvariantCulture);

    private static void Log(string line) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {line}");
}
