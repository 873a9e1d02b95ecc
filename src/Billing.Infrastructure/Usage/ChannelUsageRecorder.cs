using System.Threading.Channels;
using Billing.Application.Abstractions.Usage;
using Microsoft.Extensions.Logging;

namespace Billing.Infrastructure.Usage;

/// <summary>
/// The request path's side of metering: <see cref="Record"/> only puts the event on a bounded in-memory queue; the
/// <see cref="UsageWriterService"/> writes it. A full queue (the database down for long) drops new events rather than
/// slowing calls, and says so in the log (at most once a minute, with the count).
/// </summary>
public sealed class ChannelUsageRecorder : IUsageRecorder
{
    private static readonly TimeSpan DropLogInterval = TimeSpan.FromMinutes(1);

    private readonly Channel<UsageEvent> _channel;
    private readonly ILogger<ChannelUsageRecorder> _logger;
    private readonly TimeProvider _time;
    private long _dropped;
    private long _lastDropLogAt = long.MinValue;

    public ChannelUsageRecorder(UsageOptions options, TimeProvider time, ILogger<ChannelUsageRecorder> logger)
    {
        _channel = Channel.CreateBounded<UsageEvent>(new BoundedChannelOptions(options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // with TryWrite: refuse (and count) instead of blocking or evicting
            SingleReader = true,
            SingleWriter = false,
        });
        _time = time;
        _logger = logger;
    }

    public ChannelReader<UsageEvent> Reader => _channel.Reader;

    /// <summary>Events refused since start (queue full, or recorded after shutdown began).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public void Record(UsageEvent usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        if (_channel.Writer.TryWrite(usage))
        {
            return;
        }

        var dropped = Interlocked.Increment(ref _dropped);
        var now = _time.GetTimestamp();
        var last = Interlocked.Read(ref _lastDropLogAt);
        if ((last == long.MinValue || _time.GetElapsedTime(last, now) >= DropLogInterval)
            && Interlocked.CompareExchange(ref _lastDropLogAt, now, last) == last)
        {
            _logger.LogError("Usage event dropped (queue full or shutting down); {Dropped} dropped since start", dropped);
        }
    }

    /// <summary>No more events: the writer drains what is queued and stops.</summary>
    public void Complete() => _channel.Writer.TryComplete();
}
