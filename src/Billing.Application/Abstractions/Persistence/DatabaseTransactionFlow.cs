namespace Billing.Application.Abstractions.Persistence;

/// <summary>
/// Marks the async flow while this service holds a database transaction open (docs/decisions/0016). A provider call made
/// while it is set would hold row locks and a pooled connection for as long as the provider takes to answer, so none may
/// happen: the provider adapters' HTTP pipeline can check <see cref="IsOpen"/> (the integration tests fail any such call).
/// Every place that opens a transaction enters it for the transaction's lifetime.
/// </summary>
public static class DatabaseTransactionFlow
{
    private static readonly AsyncLocal<int> Depth = new();

    public static bool IsOpen => Depth.Value > 0;

    /// <summary>Enter right after the transaction begins; dispose when it has committed or rolled back.</summary>
    public static Scope Enter()
    {
        Depth.Value++;
        return default;
    }

    public readonly struct Scope : IDisposable
    {
        public void Dispose() => Depth.Value--;
    }
}
