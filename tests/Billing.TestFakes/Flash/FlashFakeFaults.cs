namespace Billing.TestFakes.Flash;

/// <summary>
/// Runtime fault injection for <see cref="FlashFake"/>; every member is thread-safe and may change while requests are in flight.
/// Faults act like infrastructure in front of Flash, so they run before Flash's own edge middleware. For real connection
/// refusal (nothing listening) use <see cref="FlashFake.StopListeningAsync"/>; <see cref="Down"/> answers 503 instead.
/// </summary>
public sealed class FlashFakeFaults
{
    private readonly Lock _gate = new();
    private readonly Queue<(int StatusCode, string? PathPrefix)> _failures = new();
    private bool _down;
    private TimeSpan _delay;
    private TimeSpan _latency;
    private int _dropGrantsBeforeApply;
    private int _dropGrantsAfterApply;

    /// <summary>Every request gets 503 with a proxy-style plain-text body (the process is "up", the app behind it is not).</summary>
    public bool Down
    {
        get { lock (_gate) { return _down; } }
        set { lock (_gate) { _down = value; } }
    }

    /// <summary>Wait before handling each request, e.g. beyond the client's timeout. The fake carries on afterwards even if the
    /// client left, as uvicorn does, so a slow grant is still applied.</summary>
    public TimeSpan Delay
    {
        get { lock (_gate) { return _delay; } }
        set { lock (_gate) { _delay = value; } }
    }

    /// <summary>Small per-request latency for benchmarks (added to <see cref="Delay"/>).</summary>
    public TimeSpan Latency
    {
        get { lock (_gate) { return _latency; } }
        set { lock (_gate) { _latency = value; } }
    }

    /// <summary>The next <paramref name="count"/> requests (whose path starts with <paramref name="pathPrefix"/>, if given) get
    /// <paramref name="statusCode"/> with Flash's route-error envelope, without being handled.</summary>
    public void FailNext(int statusCode, int count = 1, string? pathPrefix = null)
    {
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                _failures.Enqueue((statusCode, pathPrefix));
            }
        }
    }

    /// <summary>The next <paramref name="count"/> grants (admin or /internal/credits) are read, then the connection is aborted
    /// without applying them.</summary>
    public void DropNextGrantsBeforeApply(int count = 1)
    {
        lock (_gate)
        {
            _dropGrantsBeforeApply += count;
        }
    }

    /// <summary>The next <paramref name="count"/> grants are applied, then the connection is aborted (<c>HttpContext.Abort()</c>)
    /// before any response byte is written.</summary>
    public void DropNextGrantsAfterApply(int count = 1)
    {
        lock (_gate)
        {
            _dropGrantsAfterApply += count;
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _down = false;
            _delay = TimeSpan.Zero;
            _latency = TimeSpan.Zero;
            _failures.Clear();
            _dropGrantsBeforeApply = 0;
            _dropGrantsAfterApply = 0;
        }
    }

    internal bool TryTakeFailure(string path, out int statusCode)
    {
        lock (_gate)
        {
            if (_failures.Count > 0)
            {
                var (status, prefix) = _failures.Peek();
                if (prefix is null || path.StartsWith(prefix, StringComparison.Ordinal))
                {
                    _failures.Dequeue();
                    statusCode = status;
                    return true;
                }
            }

            statusCode = 0;
            return false;
        }
    }

    internal bool TryTakeDropBeforeApply() => TryTake(ref _dropGrantsBeforeApply);

    internal bool TryTakeDropAfterApply() => TryTake(ref _dropGrantsAfterApply);

    private bool TryTake(ref int counter)
    {
        lock (_gate)
        {
            if (counter <= 0)
            {
                return false;
            }

            counter--;
            return true;
        }
    }
}
