using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Billing.Application.Abstractions.RateLimiting;
using Billing.Application.Abstractions.Usage;
using Billing.Harness;
using Billing.Infrastructure.RateLimiting;
using Billing.Infrastructure.Usage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using StackExchange.Redis;

namespace Billing.Bench;

/// <summary>
/// The developer relay's own costs: a shared (Redis) rate-limit decision per request against the same endpoint without
/// it, and usage ingest (recorder → batched writer → PostgreSQL) in events per second with a graceful stop that must
/// lose nothing.
/// </summary>
internal static class DeveloperBench
{
    private static readonly byte[] Answer = "{\"ok\":true}"u8.ToArray();

    /// <summary>One Kestrel app, two routes: /bare answers; /limited takes a Redis decision first. Both loaded alike, alternating.</summary>
    public static async Task RateLimitAsync(BenchOptions options, Action<string, string, string, string, string, bool?> row, Action<string> log)
    {
        var redisPort = Ports.Free();
        using var redis = StartRedis(redisPort);
        try
        {
            await WaitForRedisAsync(redisPort);
            var limiterOptions = RedisRateLimitOptions.Parse($"redis://127.0.0.1:{redisPort.ToString(CultureInfo.InvariantCulture)}");
            await using var connection = await ConnectionMultiplexer.ConnectAsync(limiterOptions.Connection);
            var limiter = new RedisRequestRateLimiter(connection, limiterOptions, NullLogger<RedisRequestRateLimiter>.Instance);

            // Admits everything: the figure is the cost of deciding, not of refusing. One subject per connection's worth of owners.
            var policy = new RateLimitPolicy("bench", int.MaxValue / 2, 8);
            var port = Ports.Free();
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k =>
            {
                k.AddServerHeader = false;
                k.Listen(IPAddress.Loopback, port);
            });
            await using var app = builder.Build();
            app.MapGet("/bare", () => Results.Bytes(Answer, "application/json"));
            app.MapGet("/limited", async (HttpRequest request) =>
            {
                var decision = await limiter.TryAcquireAsync("bench-owner-" + request.Headers["X-Owner"].ToString(), policy, request.HttpContext.RequestAborted);
                return decision.Allowed ? Results.Bytes(Answer, "application/json") : Results.StatusCode(429);
            });
            await app.StartAsync();

            var url = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
            var bare = new List<LoadResult>();
            var limited = new List<LoadResult>();
            log($"bench: rate-limit decision (Redis) vs bare, {options.ReadsConnections} conn");
            for (var round = 0; round < 2; round++)
            {
                bare.Add(await LoadAsync(url, "bare", options));
                limited.Add(await LoadAsync(url, "limited", options));
            }

            var bareRps = bare.Average(r => r.OkPerSecond);
            var limitedRps = limited.Average(r => r.OkPerSecond);
            var bareP50 = bare.Average(r => r.Latency.Percentile(50));
            var limitedP50 = limited.Average(r => r.Latency.Percentile(50));
            row($"Rate-limit decision, Redis Lua GCRA ({options.ReadsConnections} conn, in-process Kestrel)",
                $"{limitedRps:N0} req/s, p50 {limitedP50:0.00} ms (+{limitedP50 - bareP50:0.00} ms)",
                $"same endpoint without it: {bareRps:N0} req/s, p50 {bareP50:0.00} ms",
                (limitedRps / bareRps).ToString("0.00", CultureInfo.InvariantCulture), ">= 0.8", limitedRps / bareRps >= 0.8);
            await app.StopAsync();
        }
        finally
        {
            if (!redis.HasExited)
            {
                redis.Kill();
                await redis.WaitForExitAsync();
            }
        }
    }

    /// <summary>200k events from 4 threads as fast as they go, 1,000 owners × 3 keys; the clock stops when a graceful stop has drained everything.</summary>
    public static async Task UsageIngestAsync(NpgsqlDataSource dataSource, Action<string, string, string, string, string, bool?> row, Action<string> log, int events = 200_000)
    {
        log($"bench: usage ingest, {events:N0} events");
        var options = new UsageOptions();
        var recorder = new ChannelUsageRecorder(options with { QueueCapacity = events }, TimeProvider.System, NullLogger<ChannelUsageRecorder>.Instance);
        var service = new UsageWriterService(recorder, new UsageWriter(dataSource, NullLogger<UsageWriter>.Instance), options, NullLogger<UsageWriterService>.Instance);
        var run = Guid.NewGuid().ToString("N")[..8];
        var now = DateTimeOffset.UtcNow;
        var started = Stopwatch.GetTimestamp();
        await service.StartAsync(CancellationToken.None);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (var i = t; i < events; i += 4)
            {
                var owner = i % 1000;
                recorder.Record(new UsageEvent(
                    $"bench-{run}-{i}", $"key_bench{owner}x{i % 3}", $"bench-user-{owner}", "/v1/timepoints/generate/sync",
                    i % 20 == 0 ? 429 : 200, now.AddMilliseconds(-i), TimeSpan.FromMilliseconds(40), 2048, 1, i % 20 == 0));
            }
        })));
        var recordedIn = Stopwatch.GetElapsedTime(started);
        await service.StopAsync(new CancellationTokenSource(TimeSpan.FromMinutes(5)).Token);
        var elapsed = Stopwatch.GetElapsedTime(started);
        await service.DisposeAsync();

        await using var count = dataSource.CreateCommand($"SELECT count(*) FROM usage_events WHERE request_id LIKE 'bench-{run}-%'");
        var rows = (long)(await count.ExecuteScalarAsync())!;
        var perSecond = events / elapsed.TotalSeconds;
        row("Usage ingest: Record → batched INSERT + hourly counters, graceful stop drains",
            $"{perSecond:N0} events/s ({events:N0} in {elapsed.TotalSeconds:0.00} s; rows {rows:N0}, lost {events - rows:N0})",
            $"Record() alone: {events / recordedIn.TotalSeconds:N0} events/s",
            "-", ">= 20,000/s, none lost", perSecond >= 20_000 && rows == events);
    }

    private static async Task<LoadResult> LoadAsync(Uri url, string path, BenchOptions options)
    {
        using var client = LoadGenerator.CreateClient(url, options.ReadsConnections);
        return await LoadGenerator.ClosedLoopAsync(client, options.ReadsConnections, options.ReadsSeconds, options.Warmup, async (c, sequence, ct) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add("X-Owner", (sequence % 64).ToString(CultureInfo.InvariantCulture));
            using var response = await c.SendAsync(request, ct);
            return response.StatusCode == HttpStatusCode.OK;
        });
    }

    private static Process StartRedis(int port)
    {
        var info = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
        {
            info.ArgumentList.Add(a);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start (build/redis.sh ensure installs it)");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitForRedisAsync(int port)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
        }
    }
}
