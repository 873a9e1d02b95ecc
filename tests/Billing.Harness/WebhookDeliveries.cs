using System.Collections.Concurrent;
using System.Diagnostics;

namespace Billing.Harness;

/// <summary>
/// Delivers one <c>checkout.session.completed</c> event per payment the way Stripe does: the same event (same id, same body)
/// on every delivery, signed afresh each time, and delivered again until it is answered 2xx.
/// </summary>
public sealed class WebhookDeliveries
{
    private readonly BillingWorld _world;
    private readonly byte[][] _payloads;
    private readonly ConcurrentDictionary<int, int> _acked = new();
    private long _attempts;
    private long _failures;

    public WebhookDeliveries(BillingWorld world, IReadOnlyList<PaidCheckout> checkouts, string scenario)
    {
        _world = world;
        Checkouts = checkouts;
        _payloads = [.. checkouts.Select((c, i) => world.CheckoutCompletedEvent(c, $"evt_{scenario}_{i:D6}_{Guid.NewGuid().ToString("N")[..10]}"))];
    }

    public IReadOnlyList<PaidCheckout> Checkouts { get; }

    public int AckedCount => _acked.Count;

    public long Attempts => Interlocked.Read(ref _attempts);

    public long Failures => Interlocked.Read(ref _failures);

    public IReadOnlyList<PaidCheckout> AckedCheckouts => [.. _acked.Keys.Order().Select(i => Checkouts[i])];

    public IReadOnlyList<int> NotAcked => [.. Enumerable.Range(0, Checkouts.Count).Where(i => !_acked.ContainsKey(i))];

    public IReadOnlyList<int> Acked => [.. _acked.Keys.Order()];

    public byte[] Payload(int index) => _payloads[index];

    /// <summary>One delivery; returns the status (0 = no answer).</summary>
    public async Task<int> DeliverOneAsync(HttpClient client, int index)
    {
        Interlocked.Increment(ref _attempts);
        var status = await BillingWorld.PostWebhookAsync(client, _payloads[index], _world.Sign(_payloads[index]));
        if (status is >= 200 and < 300)
        {
            _acked.AddOrUpdate(index, 1, (_, n) => n + 1);
        }
        else
        {
            Interlocked.Increment(ref _failures);
        }

        return status;
    }

    /// <summary>Delivers <paramref name="indexes"/> with <paramref name="concurrency"/> in flight, optionally paced at
    /// <paramref name="ratePerSecond"/> (scheduled from the start).</summary>
    public async Task DeliverAsync(HttpClient client, IReadOnlyList<int> indexes, int concurrency, double? ratePerSecond = null, CancellationToken cancellationToken = default)
    {
        var begin = Stopwatch.GetTimestamp();
        long next = -1;

        async Task Worker()
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var n = Interlocked.Increment(ref next);
                if (n >= indexes.Count)
                {
                    return;
                }

                if (ratePerSecond is { } rate)
                {
                    var due = TimeSpan.FromSeconds(n / rate) - Stopwatch.GetElapsedTime(begin);
                    if (due > TimeSpan.Zero)
                    {
                        await Task.Delay(due, CancellationToken.None);
                    }
                }

                await DeliverOneAsync(client, indexes[(int)n]);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(Worker, CancellationToken.None)));
    }

    /// <summary>Stripe's retries: every event not yet answered 2xx is delivered again, round after round, until all are.</summary>
    public async Task<int> RetryUntilAllAckedAsync(HttpClient client, int concurrency, TimeSpan timeout)
    {
        var rounds = 0;
        var deadline = DateTime.UtcNow + timeout;
        while (NotAcked.Count > 0 && DateTime.UtcNow < deadline)
        {
            rounds++;
            await DeliverAsync(client, NotAcked, concurrency);
            if (NotAcked.Count > 0)
            {
                await Task.Delay(500);
            }
        }

        return rounds;
    }
}
