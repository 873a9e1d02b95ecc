using System.Threading.Channels;

namespace Billing.Infrastructure.Background;

/// <summary>A level-triggered wake-up: many notifications while a worker is busy collapse into one pending wake.</summary>
internal sealed class WakeSignal
{
    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Wake() => _channel.Writer.TryWrite(true);

    /// <summary>Waits for a wake or the timeout (the polling fallback), whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            await _channel.Reader.ReadAsync(timeoutSource.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Timed out: poll anyway.
        }
    }
}

/// <summary>The wake-ups the database sends (LISTEN/NOTIFY, fired by commit-time triggers).</summary>
internal sealed class DatabaseWakeups
{
    public const string InboxChannel = "billing_inbox";
    public const string GrantsChannel = "billing_grants";

    public WakeSignal Inbox { get; } = new();

    public WakeSignal Grants { get; } = new();

    public void Route(string channel)
    {
        switch (channel)
        {
            case InboxChannel:
                Inbox.Wake();
                break;
            case GrantsChannel:
                Grants.Wake();
                break;
            default:
                break;
        }
    }

    public void WakeAll()
    {
        Inbox.Wake();
        Grants.Wake();
    }
}
