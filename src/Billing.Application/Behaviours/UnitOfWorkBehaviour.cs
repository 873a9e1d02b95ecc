using Billing.Application.Abstractions.Messaging;
using Billing.Application.Abstractions.Persistence;
using MediatR;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Behaviours;

/// <summary>
/// Runs a command in one database transaction: the aggregate changes and the outbox rows they owe commit together or not at all.
/// A write conflict (another delivery of the same event won the race: unique violation or concurrency token) re-runs the
/// command on fresh state, where the guarded aggregate methods see the work already done and owe nothing twice.
/// No provider is called from inside (docs/decisions/0016): a command receives what was fetched before it was sent.
/// </summary>
internal sealed class UnitOfWorkBehaviour<TRequest, TResponse>(IBillingDbContext db, ILogger<UnitOfWorkBehaviour<TRequest, TResponse>> logger)
    : IPipelineBehavior<TRequest, TResponse>
{
    private const int MaxAttempts = 4;

    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        if (request is not ICommand<TResponse> || db.Database.CurrentTransaction is not null)
        {
            return await next();
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                using var open = DatabaseTransactionFlow.Enter();
                var response = await next();
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return response;
            }
            catch (Exception ex) when (attempt < MaxAttempts && WriteConflicts.IsWriteConflict(ex))
            {
                logger.LogInformation("{RequestName} hit a write conflict (attempt {Attempt}); re-running on fresh state", typeof(TRequest).Name, attempt);
                db.ChangeTracker.Clear();
            }
        }
    }
}
