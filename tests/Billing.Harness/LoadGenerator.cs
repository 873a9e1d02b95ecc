using System.Diagnostics;
using System.Net;

namespace Billing.Harness;

/// <summary>What one request did: 2xx or not, and whether it was sent at all.</summary>
public delegate Task<bool> SendOne(HttpClient client, long sequence, CancellationToken cancellationToken);

public sealed record LoadResult(long Ok, long Failed, TimeSpan Elapsed, Latency Latency)
{
    public double OkPerSecond => Ok / Elapsed.TotalSeconds;
}

/// <summary>
/// A small HTTP load generator: N connections (one HttpClient, SocketsHttpHandler capped at N connections, N workers),
/// either closed-loop (each worker sends as soon as its previous answer came back) or at a fixed rate. Latencies are kept
/// per request; at a fixed rate they are measured from the request's scheduled time, so a stall is not hidden (no
/// coordinated omission).
/// </summary>
public static class LoadGenerator
{
    public static HttpClient CreateClient(Uri baseUrl, int connections, TimeSpan? timeout = null) =>
        new(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
        })
        {
            BaseAddress = baseUrl,
            Timeout = timeout ?? TimeSpan.FromSeconds(30),
        };

    /// <summary>Closed loop for <paramref name="duration"/> after <paramref name="warmup"/> (sent but not counted).</summary>
    public static async Task<LoadResult> ClosedLoopAsync(HttpClient client, int connections, TimeSpan duration, TimeSpan warmup, SendOne send)
    {
        long sequence = 0;
        long ok = 0;
        long failed = 0;
        var latency = new Latency();
        var begin = Stopwatch.GetTimestamp();
        var measureFrom = begin + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var end = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);

        async Task Worker()
        {
            var local = new List<double>(4096);
            while (true)
            {
                var start = Stopwatch.GetTimestamp();
                if (start >= end)
                {
                    break;
                }

                var success = false;
                try
                {
                    success = await send(client, Interlocked.Increment(ref sequence), CancellationToken.None);
                }
                catch (HttpRequestException)
                {
                }
                catch (TaskCanceledException)
                {
                }

                var stop = Stopwatch.GetTimestamp();
                if (start >= measureFrom && stop <= end)
                {
                    if (success)
                    {
                        Interlocked.Increment(ref ok);
                        local.Add((stop - start) * 1000.0 / Stopwatch.Frequency);
                    }
                    else
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
            }

            latency.AddRange(local);
        }

        await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => Task.Run(Worker)));
        return new LoadResult(ok, failed, duration, latency);
    }

    /// <summary>
    /// Sends <paramref name="rate"/> requests per second for <paramref name="duration"/> over at most
    /// <paramref name="connections"/> connections; latency runs from each request's scheduled start.
    /// <paramref name="onSuccess"/> is told the sequence number and the moment the 2xx answer arrived.
    /// </summary>
    public static async Task<LoadResult> FixedRateAsync(HttpClient client, int connections, double rate, TimeSpan duration, SendOne send, Action<long, DateTimeOffset>? onSuccess = null, long? maxRequests = null)
    {
        long next = -1;
        long ok = 0;
        long failed = 0;
        var latency = new Latency();
        var total = maxRequests ?? (long)(rate * duration.TotalSeconds);
        var begin = Stopwatch.GetTimestamp();
        var interval = Stopwatch.Frequency / rate;

        async Task Worker()
        {
            var local = new List<double>(4096);
            while (true)
            {
                var index = Interlocked.Increment(ref next);
                if (index >= total)
                {
                    break;
                }

                var scheduled = begin + (long)(index * interval);
                var wait = scheduled - Stopwatch.GetTimestamp();
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
                }

                var success = false;
                try
                {
                    success = await send(client, index, CancellationToken.None);
                }
                catch (HttpRequestException)
                {
                }
                catch (TaskCanceledException)
                {
                }

                var stop = Stopwatch.GetTimestamp();
                if (success)
                {
                    onSuccess?.Invoke(index, DateTimeOffset.UtcNow);
                    Interlocked.Increment(ref ok);
                    local.Add((stop - scheduled) * 1000.0 / Stopwatch.Frequency);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                }
            }

            latency.AddRange(local);
        }

        await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => Task.Run(Worker)));
        return new LoadResult(ok, failed, Stopwatch.GetElapsedTime(begin), latency);
    }
}
