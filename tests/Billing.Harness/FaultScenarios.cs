using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Billing.TestFakes.Stripe;

namespace Billing.Harness;

/// <summary>How big each fault scenario is: <see cref="Full"/> for build/faults.sh, <see cref="Ci"/> for the test suite.</summary>
public sealed record FaultSizes
{
    public int Users { get; init; } = 50;

    public int KillEvents { get; init; } = 2000;

    /// <summary>The service is SIGKILLed once this share of the events has been answered 2xx.</summary>
    public double KillAfterFraction { get; init; } = 0.4;

    /// <summary>Share of the events answered before the kill that are delivered again afterwards (Stripe redelivers too).</summary>
    public double RedeliverFraction { get; init; } = 0.1;

    public int PostgresEvents { get; init; } = 1000;

    public double PostgresRate { get; init; } = 100;

    public TimeSpan PostgresRestartAfter { get; init; } = TimeSpan.FromSeconds(3);

    public int FlashDownEvents { get; init; } = 1000;

    public double FlashDownRate { get; init; } = 25;

    public TimeSpan FlashDownAfter { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan FlashDownFor { get; init; } = TimeSpan.FromSeconds(30);

    public int SlowEvents { get; init; } = 300;

    public double SlowRate { get; init; } = 30;

    /// <summary>Flash answers this late while slow: past the service's FLASH_TIMEOUT_SECONDS (1 s), yet it still applies.</summary>
    public TimeSpan SlowDelay { get; init; } = TimeSpan.FromMilliseconds(1500);

    public TimeSpan SlowFor { get; init; } = TimeSpan.FromSeconds(5);

    public int DuplicateEvents { get; init; } = 50;

    public int DuplicateCopies { get; init; } = 100;

    public int Connections { get; init; } = 16;

    public TimeSpan ConvergeTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>After everything converged, how long to keep watching for a late duplicate.</summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(4);

    public static FaultSizes Full => new();

    public static FaultSizes Ci => new()
    {
        Users = 20,
        KillEvents = 200,
        PostgresEvents = 200,
        PostgresRate = 50,
        PostgresRestartAfter = TimeSpan.FromSeconds(1.5),
        FlashDownEvents = 150,
        FlashDownRate = 30,
        FlashDownAfter = TimeSpan.FromSeconds(1),
        FlashDownFor = TimeSpan.FromSeconds(3),
        SlowEvents = 60,
        SlowRate = 20,
        SlowFor = TimeSpan.FromSeconds(2),
        DuplicateEvents = 20,
        DuplicateCopies = 25,
        ConvergeTimeout = TimeSpan.FromSeconds(60),
        Settle = TimeSpan.FromSeconds(4),
    };
}

/// <summary>
/// The fault scenarios of build/faults.sh and the CI-sized suite. Each prepares its own users and payments (so scenarios can
/// share one world), injects its fault under load, delivers again what was not answered 2xx as Stripe would, and ends with
/// <see cref="Invariant.CheckAsync"/>.
/// </summary>
public sealed class FaultScenarios(BillingWorld world, FaultSizes sizes, Action<string>? log = null)
{
    private readonly Action<string> _log = log ?? (_ => { });

    /// <summary>The service's environment for fault runs: short timeouts, leases and settle times so recovery is quick. The
    /// settle time must exceed how late a slow Flash can still apply a grant (<see cref="FaultSizes.SlowDelay"/>).</summary>
    public static Dictionary<string, string?> ServiceEnvironment() => new()
    {
        ["FLASH_TIMEOUT_SECONDS"] = "1",
        ["GRANT_AMBIGUOUS_SETTLE_MS"] = "3000",
        ["GRANT_LEASE_SECONDS"] = "3",
    };

    public async Task<IReadOnlyList<ScenarioResult>> RunAllAsync()
    {
        var results = new List<ScenarioResult>
        {
            await ServiceKilledAsync(),
            await PostgresRestartedAsync(),
            await FlashDownAsync(),
            await FlashSlowAsync(),
            await ConcurrentDuplicatesAsync(),
            await BadInputAsync(),
        };
        return results;
    }

    public async Task<ScenarioResult> ServiceKilledAsync()
    {
        const string name = "service SIGKILL mid-delivery";
        var (checkouts, users) = await Prepare("kill", sizes.KillEvents);
        var deliveries = new WebhookDeliveries(world, checkouts, "kill");
        using var client = LoadGenerator.CreateClient(world.ServiceUrl, sizes.Connections, TimeSpan.FromSeconds(10));

        var threshold = (int)(checkouts.Count * sizes.KillAfterFraction);
        var run = deliveries.DeliverAsync(client, [.. Enumerable.Range(0, checkouts.Count)], sizes.Connections);
        // Mid-delivery for both halves: events still arriving and grants already flowing to Flash (or 20 s at most).
        var waitUntil = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while ((deliveries.AckedCount < threshold || Delivered(checkouts) == 0) && !run.IsCompleted && DateTime.UtcNow < waitUntil)
        {
            await Task.Delay(2);
        }

        var grantsBeforeKill = Delivered(checkouts);
        world.KillService();
        var ackedAtKill = deliveries.AckedCount;
        await run;
        _log($"{name}: SIGKILL after {ackedAtKill}/{checkouts.Count} answered 2xx ({grantsBeforeKill} grants in Flash so far); {deliveries.NotAcked.Count} unanswered");

        var restart = await world.StartServiceAsync();
        var retried = deliveries.NotAcked.Count;
        var rounds = await deliveries.RetryUntilAllAckedAsync(client, sizes.Connections, sizes.ConvergeTimeout);
        var redeliver = deliveries.Acked.Where((_, i) => i % Math.Max(1, (int)Math.Round(1 / sizes.RedeliverFraction)) == 0).ToList();
        await deliveries.DeliverAsync(client, redeliver, sizes.Connections);

        var result = await Finish(name, deliveries, users, $"killed after {ackedAtKill} acks with {grantsBeforeKill} grants at Flash; restarted in {restart.TotalSeconds:0.0} s; {retried} retried in {rounds} round(s); {redeliver.Count} acked ones redelivered");
        var viaHistory = await world.ScalarAsync("SELECT count(*) FROM credit_grants WHERE delivered_via = 'history' AND grant_key = ANY($1)", checkouts.Select(c => c.GrantKey).ToArray());
        return result with { Notes = result.Notes + $"; {viaHistory} in-flight grants confirmed from Flash history after the restart" };
    }

    public async Task<ScenarioResult> PostgresRestartedAsync()
    {
        const string name = "PostgreSQL restart under load";
        if (!world.Cluster.CanRestart)
        {
            return new ScenarioResult(name, 0, 0, 0, 0, 0, false, "skipped: the database server is external, so it cannot be restarted");
        }

        var (checkouts, users) = await Prepare("pgrestart", sizes.PostgresEvents);
        var deliveries = new WebhookDeliveries(world, checkouts, "pgrestart");
        using var client = LoadGenerator.CreateClient(world.ServiceUrl, sizes.Connections, TimeSpan.FromSeconds(10));

        var run = deliveries.DeliverAsync(client, [.. Enumerable.Range(0, checkouts.Count)], sizes.Connections, sizes.PostgresRate);
        await Task.Delay(sizes.PostgresRestartAfter);
        var started = DateTime.UtcNow;
        await world.Cluster.RestartAsync();
        var restartTook = DateTime.UtcNow - started;
        world.DataSource.Clear();
        await run;
        var failedDuringLoad = deliveries.NotAcked.Count;
        var rounds = await deliveries.RetryUntilAllAckedAsync(client, sizes.Connections, sizes.ConvergeTimeout);
        _log($"{name}: pg_ctl restart took {restartTook.TotalSeconds:0.0} s; {failedDuringLoad} deliveries not answered 2xx during it");

        return await Finish(name, deliveries, users, $"restart took {restartTook.TotalSeconds:0.0} s; {failedDuringLoad} non-2xx retried in {rounds} round(s)");
    }

    public async Task<ScenarioResult> FlashDownAsync()
    {
        var name = $"Flash down {sizes.FlashDownFor.TotalSeconds:0} s under load";
        var (checkouts, users) = await Prepare("flashdown", sizes.FlashDownEvents);
        var deliveries = new WebhookDeliveries(world, checkouts, "flashdown");
        using var client = LoadGenerator.CreateClient(world.ServiceUrl, sizes.Connections, TimeSpan.FromSeconds(10));

        var run = deliveries.DeliverAsync(client, [.. Enumerable.Range(0, checkouts.Count)], sizes.Connections, sizes.FlashDownRate);
        await Task.Delay(sizes.FlashDownAfter);
        await world.Flash.StopListeningAsync();
        var keysAtStop = Delivered(checkouts);
        await Task.Delay(sizes.FlashDownFor);
        var keysWhileDown = Delivered(checkouts) - keysAtStop;
        await world.Flash.StartListeningAsync();
        await run;
        var rounds = await deliveries.RetryUntilAllAckedAsync(client, sizes.Connections, sizes.ConvergeTimeout);
        _log($"{name}: {keysWhileDown} grants arrived while Flash was down (expected 0)");

        var result = await Finish(name, deliveries, users, $"connections refused for {sizes.FlashDownFor.TotalSeconds:0} s; {keysWhileDown} grants landed meanwhile; retry rounds {rounds}");
        return keysWhileDown == 0 ? result : result with { Passed = false, Notes = result.Notes + "; a grant arrived while Flash was not listening" };
    }

    public async Task<ScenarioResult> FlashSlowAsync()
    {
        var name = $"Flash slower than timeout ({sizes.SlowDelay.TotalSeconds:0.0} s > 1 s)";
        var (checkouts, users) = await Prepare("flashslow", sizes.SlowEvents);
        var deliveries = new WebhookDeliveries(world, checkouts, "flashslow");
        using var client = LoadGenerator.CreateClient(world.ServiceUrl, sizes.Connections, TimeSpan.FromSeconds(10));

        world.Flash.Faults.Delay = sizes.SlowDelay;
        var run = deliveries.DeliverAsync(client, [.. Enumerable.Range(0, checkouts.Count)], sizes.Connections, sizes.SlowRate);
        await Task.Delay(sizes.SlowFor);
        world.Flash.Faults.Delay = TimeSpan.Zero;
        await run;
        await deliveries.RetryUntilAllAckedAsync(client, sizes.Connections, sizes.ConvergeTimeout);

        var result = await Finish(name, deliveries, users, "");
        var viaHistory = await world.ScalarAsync("SELECT count(*) FROM credit_grants WHERE delivered_via = 'history' AND grant_key = ANY($1)", checkouts.Select(c => c.GrantKey).ToArray());
        return result with { Notes = $"{viaHistory} timed-out grants confirmed from Flash history, not resent" };
    }

    public async Task<ScenarioResult> ConcurrentDuplicatesAsync()
    {
        var name = $"{sizes.DuplicateCopies} concurrent copies of each event";
        var (checkouts, users) = await Prepare("dups", sizes.DuplicateEvents);
        var deliveries = new WebhookDeliveries(world, checkouts, "dups");
        using var client = LoadGenerator.CreateClient(world.ServiceUrl, sizes.DuplicateCopies, TimeSpan.FromSeconds(30));

        // One event at a time, all its copies at once (each on its own connection), so they really race each other.
        foreach (var index in Enumerable.Range(0, checkouts.Count))
        {
            await Task.WhenAll(Enumerable.Range(0, sizes.DuplicateCopies).Select(_ => Task.Run(() => deliveries.DeliverOneAsync(client, index))));
        }

        var non2xx = deliveries.Failures;
        await deliveries.RetryUntilAllAckedAsync(client, sizes.Connections, sizes.ConvergeTimeout);
        var eventIds = Enumerable.Range(0, checkouts.Count).Select(EventIdOf(deliveries)).ToArray();
        var inboxRows = await world.ScalarAsync("SELECT count(*) FROM inbox_events WHERE provider = 'stripe' AND event_id = ANY($1)", eventIds);

        var result = await Finish(name, deliveries, users, $"{deliveries.Attempts} deliveries, {non2xx} not 2xx; {inboxRows} inbox rows");
        return inboxRows == checkouts.Count ? result : result with { Passed = false, Notes = result.Notes + " (expected one per event)" };
    }

    public async Task<ScenarioResult> BadInputAsync()
    {
        const string name = "bad input (8 kinds)";
        var (checkouts, users) = await Prepare("bad", 8);
        var payloads = checkouts.Select((c, i) => world.CheckoutCompletedEvent(c, $"evt_bad_{i}_{Guid.NewGuid():N}")).ToList();
        using var client = LoadGenerator.CreateClient(world.ServiceUrl, 4, TimeSpan.FromSeconds(30));
        var statuses = new List<(string Kind, int Status)>();

        async Task Send(string kind, byte[] body, string? signature, string contentType = "application/json", (string Name, string Value)? header = null, bool expectContinue = false)
        {
            using var request = BillingWorld.WebhookRequest(body, signature, contentType);
            request.Headers.ExpectContinue = expectContinue;
            if (header is { } h)
            {
                request.Headers.TryAddWithoutValidation(h.Name, h.Value);
            }

            int status;
            try
            {
                using var response = await client.SendAsync(request);
                status = (int)response.StatusCode;
            }
            catch (HttpRequestException)
            {
                status = 0;
            }

            statuses.Add((kind, status));
        }

        // Each would grant credits if it were accepted: every body is a real paid checkout's event.
        // The service answers 413 from the declared length without reading the body. A client still writing its 300 KiB
        // when the server closes the connection can see a reset instead of the 413 (a TCP race, not a service fault), so
        // this case asks "Expect: 100-continue" as careful clients do: the 413 arrives before any of the body is sent.
        var oversized = Oversized(payloads[0], 300 * 1024);
        await Send("oversized body (300 KiB)", oversized, world.Sign(oversized), expectContinue: true);
        var malformed = Encoding.UTF8.GetBytes("{\"id\": \"evt_bad_malformed\", \"type\": \"checkout.session.completed\", \"data\": {\"object\": ");
        await Send("malformed JSON", malformed, world.Sign(malformed));
        await Send("wrong content type", payloads[2], world.Sign(payloads[2]), "text/plain");
        await Send("forged signature", payloads[3], StripeFake.SignatureHeader(payloads[3], "whsec_not_the_secret", DateTimeOffset.UtcNow));
        await Send("replayed signature (400 s old)", payloads[4], world.Sign(payloads[4], DateTimeOffset.UtcNow.AddSeconds(-400)));
        await Send("huge headers (40 KiB)", payloads[5], world.Sign(payloads[5]), header: ("X-Padding", new string('a', 40 * 1024)));
        await Send("no signature", payloads[6], null);
        await Send("body changed after signing", Tampered(payloads[7]), world.Sign(payloads[7]));

        await Task.Delay(1000); // anything wrongly stored would be processed and dispatched by now
        var eventIds = payloads.Select(p => (string)JsonNode.Parse(p)!["id"]!).Append("evt_bad_malformed").ToArray();
        var stored = await world.ScalarAsync("SELECT count(*) FROM inbox_events WHERE event_id = ANY($1)", eventIds);
        var outcome = await Invariant.CountAsync(world, [], users);
        var all4xx = statuses.All(s => s.Status is >= 400 and < 500);
        var notes = string.Join("; ", statuses.Select(s => $"{s.Kind} {(s.Status == 0 ? "no answer" : s.Status.ToString(CultureInfo.InvariantCulture))}"));
        notes += $"; {stored} stored";
        return new ScenarioResult(name, statuses.Count, 0, outcome.Delivered, outcome.Duplicates, 0, all4xx && stored == 0 && outcome.Holds, notes);
    }

    private async Task<ScenarioResult> Finish(string name, WebhookDeliveries deliveries, IReadOnlyCollection<string> users, string notes)
    {
        var owed = deliveries.AckedCheckouts;
        var outcome = await Invariant.CheckAsync(world, owed, users, sizes.ConvergeTimeout, sizes.Settle);
        var unanswered = deliveries.Checkouts.Count - owed.Count;
        var passed = outcome.Holds && unanswered == 0;
        if (outcome.Problems.Count > 0)
        {
            notes += "; " + string.Join("; ", outcome.Problems);
        }

        if (unanswered > 0)
        {
            notes += $"; {unanswered} events never answered 2xx";
        }

        _log($"{name}: {(passed ? "PASS" : "FAIL")} expected {outcome.Expected}, delivered {outcome.Delivered}, duplicates {outcome.Duplicates}, lost {outcome.Lost}");
        return new ScenarioResult(name, deliveries.Checkouts.Count, outcome.Expected, outcome.Delivered, outcome.Duplicates, outcome.Lost, passed, notes.TrimStart(';', ' '));
    }

    private async Task<(List<PaidCheckout> Checkouts, List<string> Users)> Prepare(string prefix, int count)
    {
        var checkouts = await world.CreatePaidCheckoutsAsync(prefix, count, Math.Min(sizes.Users, count));
        return (checkouts, checkouts.Select(c => c.UserId).Distinct().ToList());
    }

    private int Delivered(IReadOnlyList<PaidCheckout> checkouts)
    {
        var keys = checkouts.Select(c => c.GrantKey).ToHashSet(StringComparer.Ordinal);
        return world.Flash.Grants.Count(g => Invariant.KeyOf(g) is { } key && keys.Contains(key));
    }

    private static Func<int, string> EventIdOf(WebhookDeliveries deliveries) => i => (string)JsonNode.Parse(deliveries.Payload(i))!["id"]!;

    /// <summary>The same event with a metadata field padded so the body is larger than <paramref name="size"/>.</summary>
    private static byte[] Oversized(byte[] payload, int size)
    {
        var json = JsonNode.Parse(payload)!.AsObject();
        json["padding"] = new string('x', size);
        return Encoding.UTF8.GetBytes(json.ToJsonString());
    }

    private static byte[] Tampered(byte[] payload)
    {
        var json = JsonNode.Parse(payload)!.AsObject();
        json["livemode"] = false;
        json["tampered"] = true;
        return Encoding.UTF8.GetBytes(json.ToJsonString());
    }
}
