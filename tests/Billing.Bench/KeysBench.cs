using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Billing.Harness;
using Billing.TestFakes.Flash;

namespace Billing.Bench;

/// <summary>
/// Developer keys: what key verification plus the rate-limit decision cost per request against a bare endpoint answering
/// the same bytes, and the latency the /v1 relay adds on top of calling the Flash fake directly (same body, same identity).
/// </summary>
internal static class KeysBench
{
    private const string VerifyPath = "internal/billing/keys/verify";
    private const string SyncPath = "v1/timepoints/generate/sync";

    public static async Task RunAsync(BillingWorld world, BenchOptions options, Action<string, string, string, string, string, bool?> row)
    {
        var user = world.Flash.AddUser("bench-keys-" + Guid.NewGuid().ToString("N"), balance: int.MaxValue / 2);
        var key = await CreateKeyAsync(world, user);
        var verifyBody = JsonSerializer.SerializeToUtf8Bytes(new { key });

        // Verify + limit decision vs the bare server answering the service's own bytes.
        using var capture = new HttpRequestMessage(HttpMethod.Post, VerifyPath) { Content = Json(verifyBody) };
        using var captured = await world.Internal.SendAsync(capture);
        captured.EnsureSuccessStatusCode();
        var answer = await captured.Content.ReadAsByteArrayAsync();
        var dir = Path.Combine(Path.GetTempPath(), $"billing-bench-keys-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        var verifyFile = Path.Combine(dir, "verify.json");
        await File.WriteAllBytesAsync(verifyFile, answer);
        await File.WriteAllBytesAsync(Path.Combine(dir, "empty.json"), "{}"u8.ToArray());

        var port = Ports.Free();
        var bareUrl = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
        var info = new ProcessStartInfo(RepoPaths.DotnetHost()) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(typeof(KeysBench).Assembly.Location);
        foreach (var a in new[] { "bare", "--port", port.ToString(CultureInfo.InvariantCulture), "--products", Path.Combine(dir, "empty.json"), "--status", Path.Combine(dir, "empty.json"), "--verify", verifyFile })
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["DOTNET_gcServer"] = "1";
        using var bare = Process.Start(info)!;
        bare.OutputDataReceived += (_, _) => { };
        bare.ErrorDataReceived += (_, _) => { };
        bare.BeginOutputReadLine();
        bare.BeginErrorReadLine();
        try
        {
            await WaitUpAsync(bareUrl);
            var service = new List<LoadResult>();
            var reference = new List<LoadResult>();
            for (var round = 0; round < 2; round++)
            {
                service.Add(await PostLoopAsync(world.ServiceUrl, VerifyPath, verifyBody, options));
                reference.Add(await PostLoopAsync(bareUrl, VerifyPath, verifyBody, options));
            }

            var (serviceRps, serviceP99) = Combine(service);
            var (bareRps, bareP99) = Combine(reference);
            row($"POST /{VerifyPath} (key check + rate-limit decision, in-process limiter, {options.ReadsConnections} conn)",
                $"{serviceRps:N0} req/s, p99 {serviceP99:0.0} ms",
                $"bare minimal API, same bytes: {bareRps:N0} req/s, p99 {bareP99:0.0} ms",
                Ratio(serviceRps / bareRps), ">= 0.8", serviceRps / bareRps >= 0.8);
        }
        finally
        {
            bare.Kill();
            await bare.WaitForExitAsync();
            Directory.Delete(dir, recursive: true);
        }

        // Relay added latency: one connection, sequential, sync generation through the relay vs signed straight to Flash.
        var generateBody = JsonSerializer.SerializeToUtf8Bytes(new { query = "the signing of the Treaty of Westphalia" });
        using var relayClient = LoadGenerator.CreateClient(world.ServiceUrl, 1);
        relayClient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var flashClient = LoadGenerator.CreateClient(world.Flash.BaseUrl, 1);
        var relay = new Latency();
        var direct = new Latency();
        var until = Stopwatch.GetTimestamp() + (long)(options.ReadsSeconds.TotalSeconds * Stopwatch.Frequency);
        for (var i = 0; i < 50 || Stopwatch.GetTimestamp() < until; i++)
        {
            var measured = i >= 20; // the first rounds warm both paths
            var start = Stopwatch.GetTimestamp();
            using (var response = await relayClient.PostAsync(new Uri(SyncPath, UriKind.Relative), Json(generateBody)))
            {
                await response.Content.ReadAsByteArrayAsync();
                response.EnsureSuccessStatusCode();
            }

            if (measured)
            {
                relay.Add(Latency.MillisecondsSince(start));
            }

            start = Stopwatch.GetTimestamp();
            using (var request = SignedFlashRequest(generateBody, user))
            using (var response = await flashClient.SendAsync(request))
            {
                await response.Content.ReadAsByteArrayAsync();
                response.EnsureSuccessStatusCode();
            }

            if (measured)
            {
                direct.Add(Latency.MillisecondsSince(start));
            }
        }

        row($"POST /{SyncPath} via the relay vs straight to the Flash fake (1 conn, {relay.Count:N0} calls each)",
            $"p50 {relay.P50:0.00} ms, p99 {relay.P99:0.00} ms (+{relay.P50 - direct.P50:0.00} ms at p50)",
            $"direct to Flash, signed: p50 {direct.P50:0.00} ms, p99 {direct.P99:0.00} ms",
            Ratio(relay.P50 / direct.P50), "+<= 1 ms at p50", relay.P50 - direct.P50 <= 1.0);
    }

    private static HttpRequestMessage SignedFlashRequest(byte[] body, string user)
    {
        const string path = "/api/v1/timepoints/generate/sync";
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var request = new HttpRequestMessage(HttpMethod.Post, path.TrimStart('/')) { Content = Json(body) };
        request.Headers.Add("X-User-Id", user);
        request.Headers.Add("X-Gateway-Timestamp", timestamp);
        request.Headers.Add("X-Gateway-Signature", FlashFake.ComputeSignature(BillingWorld.GatewaySecret, "POST", path, user, timestamp));
        return request;
    }

    private static async Task<string> CreateKeyAsync(BillingWorld world, string user)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "internal/billing/keys") { Content = JsonContent.Create(new { name = "bench", mode = "live" }) };
        request.Headers.Add("X-User-Id", user);
        using var response = await world.Internal.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
    }

    private static async Task<LoadResult> PostLoopAsync(Uri baseUrl, string path, byte[] body, BenchOptions options)
    {
        using var client = LoadGenerator.CreateClient(baseUrl, options.ReadsConnections);
        client.DefaultRequestHeaders.Add("X-Service-Key", BillingWorld.ServiceKey);
        var uri = new Uri(path, UriKind.Relative);
        return await LoadGenerator.ClosedLoopAsync(client, options.ReadsConnections, options.ReadsSeconds / 2, TimeSpan.FromSeconds(0.5), async (c, _, ct) =>
        {
            using var response = await c.PostAsync(uri, Json(body), ct);
            await response.Content.ReadAsByteArrayAsync(ct);
            return response.IsSuccessStatusCode;
        });
    }

    private static ByteArrayContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = Encoding.UTF8.WebName };
        return content;
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

    private static async Task WaitUpAsync(Uri url)
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
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("the bare reference server did not start");
    }

    private static string Ratio(double ratio) => ratio.ToString("0.00", CultureInfo.InvariantCulture);
}
