namespace Billing.Application.Abstractions.Reconciliation;

/// <summary>One reconciliation of a source at a time across every instance (a PostgreSQL advisory lock).</summary>
public interface IReconciliationLock
{
    /// <summary>The held lock (dispose to release it), or null at once when another run holds it.</summary>
    Task<IAsyncDisposable?> TryAcquireAsync(string source, CancellationToken cancellationToken);
}
